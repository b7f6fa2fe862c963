import ScratchTensor

/// A learnable tensor and its gradient, shared by reference between the layer
/// that owns it and the optimizer that updates it.
///
/// Names follow the course (`W1`, `b1`, `gamma1`, `beta1`, ...), so a
/// checkpoint reads like the book's `params` dictionary.
public final class Parameter<Scalar: TensorScalar> {
    /// What the parameter is; weight decay applies to ``Kind/weight`` only.
    public enum Kind: String, Sendable {
        case weight, bias, scale, shift
    }

    public let name: String
    public let kind: Kind
    /// The current value.
    public var value: Tensor<Scalar>
    /// ∂L/∂value from the latest backward pass (same shape as `value`).
    public var gradient: Tensor<Scalar>

    public convenience init(name: String, kind: Kind, value: Tensor<Scalar>) {
        self.init(name: name, kind: kind, value: value, gradient: Tensor(shape: value.shape))
    }

    private init(name: String, kind: Kind, value: Tensor<Scalar>, gradient: Tensor<Scalar>) {
        self.name = name
        self.kind = kind
        self.value = value
        self.gradient = gradient
    }

    /// A new parameter with this one's value and gradient as they are now. Tensors are
    /// copy-on-write: nothing is copied until this one changes, and the copy never does.
    public func snapshot() -> Parameter {
        Parameter(name: name, kind: kind, value: value, gradient: gradient)
    }
}
