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
    /// The training-mode output y, from which the backward pass computes σ′
    /// (it and the input gradient are written over the last step's).
    private var output = Tensor<Scalar>()
    private var inputGradient = Tensor<Scalar>()
    private var hasOutput = false
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        guard mode == .training else { return x.sigmoid() }
        x.sigmoid(into: &output)
        hasOutput = true
        return output
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasOutput, "Sigmoid.backward needs a training-mode forward first")
        dout.sigmoidBackward(output: output, into: &inputGradient)   // dout · (1 − y) · y
        return inputGradient
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
    /// The training-mode output y: y > 0 exactly where x > 0, so it serves as the mask
    /// (it and the input gradient are written over the last step's).
    private var output = Tensor<Scalar>()
    private var inputGradient = Tensor<Scalar>()
    private var hasOutput = false
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        guard mode == .training else { return x.relu() }
        x.relu(into: &output)
        hasOutput = true
        return output
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasOutput, "ReLU.backward needs a training-mode forward first")
        dout.masked(wherePositive: output, into: &inputGradient)   // dout where x > 0, else 0
        return inputGradient
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
    /// The training-mode output y, from which the backward pass computes tanh′
    /// (it and the input gradient are written over the last step's).
    private var output = Tensor<Scalar>()
    private var inputGradient = Tensor<Scalar>()
    private var hasOutput = false
    public init() {}

    public func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar> {
        guard mode == .training else { return x.tanh() }
        x.tanh(into: &output)
        hasOutput = true
        return output
    }

    public func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(hasOutput, "Tanh.backward needs a training-mode forward first")
        dout.tanhBackward(output: output, into: &inputGradient)   // dout · (1 − y²)
        return inputGradient
    }

    public func snapshot() -> any Layer<Scalar> { Tanh() }
    public var summary: String { "Tanh" }
}
