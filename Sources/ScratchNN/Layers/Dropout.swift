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
    private var mask: Tensor<Scalar>?

    public init(ratio: Double, seed: UInt64) {
        precondition(ratio >= 0 && ratio < 1, "dropout ratio must be in [0, 1), got \(ratio)")
        self.ratio = ratio
        self.rng = RandomGenerator(seed: seed)
    }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        switch mode {
        case .training:
            if let mask, freezesMask, mask.shape == x.shape { return x * mask }
            let newMask = Tensor<Scalar>.dropoutMask(shape: x.shape, ratio: ratio, using: &rng)   // rand(shape) > ratio
            mask = newMask
            return x * newMask
        case .inference:
            return x * Scalar(1 - ratio)
        }
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let mask else { preconditionFailure("Dropout.backward needs a training-mode forward first") }
        return dout * mask
    }

    /// The same ratio (inference draws no masks).
    public func snapshot() -> any Layer<Scalar> { Dropout(ratio: ratio, seed: 0) }

    public var summary: String { "Dropout \(ratio)" }
}
