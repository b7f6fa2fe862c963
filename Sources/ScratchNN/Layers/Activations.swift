import ScratchTensor

/// A layer that applies an activation function elementwise (reports look for
/// these to show each hidden layer's activation distribution).
public protocol ActivationLayer: Layer {}

/// Sigmoid activation (course 2_2: the cause of vanishing gradients).
///
/// ```
/// forward:  y = σ(x) = 1 / (1 + exp(−x))
/// backward: dx = dout · (1 − y) · y        (σ′ peaks at x = 0 with value 0.25)
/// ```
/// Shapes: any → same shape.
public final class Sigmoid<Scalar: TensorScalar>: ActivationLayer, StatelessInference {
    /// The training-mode output y, from which the backward pass computes σ′.
    private var output: Tensor<Scalar>?
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let y = x.sigmoid()
        if mode == .training { output = y }
        return y
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let y = output else { preconditionFailure("Sigmoid.backward needs a training-mode forward first") }
        return dout.sigmoidBackward(output: y)   // dout · (1 − y) · y
    }

    public func snapshot() -> any Layer<Scalar> { Sigmoid() }
    public var summary: String { "Sigmoid" }
}

/// ReLU activation (course 2_2: keeps gradients from vanishing).
///
/// ```
/// forward:  y = max(0, x)
/// backward: dx = dout where x > 0, else 0
/// ```
/// Shapes: any → same shape.
public final class ReLU<Scalar: TensorScalar>: ActivationLayer, StatelessInference {
    /// The training-mode output y: y > 0 exactly where x > 0, so it serves as the mask.
    private var output: Tensor<Scalar>?
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let y = x.relu()
        if mode == .training { output = y }
        return y
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let y = output else { preconditionFailure("ReLU.backward needs a training-mode forward first") }
        return dout.masked(wherePositive: y)   // dout where x > 0, else 0
    }

    public func snapshot() -> any Layer<Scalar> { ReLU() }
    public var summary: String { "ReLU" }
}

/// Hyperbolic-tangent activation (course 2_2, alongside sigmoid and ReLU).
///
/// ```
/// forward:  y = tanh(x)
/// backward: dx = dout · (1 − y²)
/// ```
/// Shapes: any → same shape.
public final class Tanh<Scalar: TensorScalar>: ActivationLayer, StatelessInference {
    /// The training-mode output y, from which the backward pass computes tanh′.
    private var output: Tensor<Scalar>?
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        let y = x.tanh()
        if mode == .training { output = y }
        return y
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let y = output else { preconditionFailure("Tanh.backward needs a training-mode forward first") }
        return dout.tanhBackward(output: y)   // dout · (1 − y²)
    }

    public func snapshot() -> any Layer<Scalar> { Tanh() }
    public var summary: String { "Tanh" }
}
