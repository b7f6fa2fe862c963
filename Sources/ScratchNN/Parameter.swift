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

    public init(name: String, kind: Kind, value: Tensor<Scalar>) {
        self.name = name
        self.kind = kind
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }
}
