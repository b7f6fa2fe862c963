import ScratchTensor

/// Dropout in the course's (non-inverted) form (2_5).
///
/// ```
/// training:  mask = (rand(shape) > ratio),  out = x · mask
/// inference: out = x · (1 − ratio)
/// backward:  dx = dout · mask
/// ```
/// Shapes: any → same shape. The layer draws its masks from its own seeded
/// generator, so a run is reproducible.
public final class Dropout<Scalar: TensorScalar>: Layer, StatelessInference {
    public let ratio: Double
    /// When true, training-mode forward passes reuse the last mask (for
    /// gradient checks, which need the same function on every evaluation).
    public var freezesMask = false
    private var rng: RandomGenerator
    /// The last training-mode mask, output and input gradient, each written over the last.
    private var mask = Tensor<Scalar>()
    private var hasMask = false
    private var output = Tensor<Scalar>()
    private var inputGradient = Tensor<Scalar>()

    public init(ratio: Double, seed: UInt64) {
        precondition(ratio >= 0 && ratio < 1, "dropout ratio must be in [0, 1), got \(ratio)")
        self.ratio = ratio
        self.rng = RandomGenerator(seed: seed)
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        switch mode {
        case .training:
            if !(freezesMask && hasMask && mask.shape == x.shape) {
                Tensor<Scalar>.dropoutMask(shape: x.shape, ratio: ratio, using: &rng, into: &mask)   // rand(shape) > ratio
                hasMask = true
            }
            x.multiplied(by: mask, into: &output)
            return output
        case .inference:
            return x * Scalar(1 - ratio)
        }
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasMask, "Dropout.backward needs a training-mode forward first")
        dout.multiplied(by: mask, into: &inputGradient)
        return inputGradient
    }

    /// The same ratio (inference draws no masks).
    public func snapshot() -> any Layer<Scalar> { Dropout(ratio: ratio, seed: 0) }

    public var summary: String { "Dropout \(ratio)" }
}
