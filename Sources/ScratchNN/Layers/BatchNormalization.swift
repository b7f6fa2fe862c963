import ScratchTensor

/// Batch normalization (course 2_3), per activation.
///
/// ```
/// training:   μ = mean(x),  σ² = mean((x − μ)²)  (over the batch, biased)
///             x̂ = (x − μ) / √(σ² + 1e-6)
///             running_μ ← 0.9·running_μ + 0.1·μ   (likewise σ²; both start at 0)
/// inference:  x̂ = (x − running_μ) / √(running_σ² + 1e-6)
/// out = γ·x̂ + β        (γ starts at 1, β at 0; both are learned)
/// ```
/// Backward follows the computational graph of the book's implementation.
/// Shapes: `x [N, D]` → `[N, D]`; `[N, C, H, W]` inputs are flattened to
/// `[N, C·H·W]` and normalized per element, as in the course.
public final class BatchNormalization<Scalar: TensorScalar>: Layer, StatelessInference {
    public let gamma: Parameter<Scalar>
    public let beta: Parameter<Scalar>
    public let parameters: [Parameter<Scalar>]
    /// Running mean and variance used at inference.
    public private(set) var runningMean: Tensor<Scalar>
    public private(set) var runningVariance: Tensor<Scalar>
    public let momentum: Scalar
    public let epsilon: Scalar

    private var inputShape: [Int] = []
    /// The last training pass, kept for the backward pass (its tensors written over each step).
    private var pass = BatchNormalizationPass<Scalar>()
    private var hasPass = false

    /// A layer over `size` activations; `index` names `gamma<index>` and `beta<index>`.
    public init(size: Int, index: Int, momentum: Scalar = 0.9, epsilon: Scalar = 1e-6) {
        gamma = Parameter(name: "gamma\(index)", kind: .scale, value: Tensor(shape: [size], repeating: 1))
        beta = Parameter(name: "beta\(index)", kind: .shift, value: Tensor(shape: [size]))
        parameters = [gamma, beta]
        runningMean = Tensor(shape: [size])
        runningVariance = Tensor(shape: [size])
        self.momentum = momentum
        self.epsilon = epsilon
    }

    private init(copying other: BatchNormalization) {
        gamma = other.gamma.snapshot()
        beta = other.beta.snapshot()
        parameters = [gamma, beta]
        runningMean = other.runningMean
        runningVariance = other.runningVariance
        momentum = other.momentum
        epsilon = other.epsilon
    }

    public func snapshot() -> any Layer<Scalar> { BatchNormalization(copying: self) }

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        switch mode {
        case .training:
            if inputShape != x.shape { inputShape = x.shape }
            // μ, xc = x − μ, σ², std = √(σ² + ε), xn = xc / std, out = γ·xn + β in three passes
            Tensor.batchNormalizationTraining(x, epsilon: epsilon, gamma: gamma.value, beta: beta.value, into: &pass)
            hasPass = true
            runningMean.interpolate(toward: pass.mean, keeping: momentum)   // momentum·running_μ + (1 − momentum)·μ
            runningVariance.interpolate(toward: pass.variance, keeping: momentum)
            return pass.out.reshaped(inputShape)
        case .inference:
            // γ·(x − running_μ) / √(running_σ² + ε) + β in one pass
            return Tensor.batchNormalizationInference(x, mean: runningMean, variance: runningVariance,
                                                      epsilon: epsilon, gamma: gamma.value, beta: beta.value)
        }
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasPass, "BatchNormalization.backward needs a training-mode forward first")
        // The book's graph: dβ, dγ, dxn = dout·γ, dstd, dσ², dxc, dμ, dx = dxc − dμ/N
        Tensor.batchNormalizationBackward(dout, gamma: gamma.value, pass: &pass,
                                          dgamma: &gamma.gradient, dbeta: &beta.gradient)
        return pass.dx.reshaped(inputShape)
    }

    /// Replaces the running mean and variance used at inference (e.g. with a checkpoint's
    /// `running_mean<i>` and `running_var<i>`). Both must have the layer's `[size]` shape.
    public func setRunningStatistics(mean: Tensor<Scalar>, variance: Tensor<Scalar>) {
        precondition(mean.shape == runningMean.shape && variance.shape == runningVariance.shape,
                     "running statistics of shape \(mean.shape) and \(variance.shape) do not fit a BatchNorm of \(runningMean.shape)")
        runningMean = mean
        runningVariance = variance
    }

    public var summary: String { "BatchNorm \(gamma.value.count)" }
}
