import ScratchTensor

/// Whether a forward pass is for training or for inference.
///
/// Batch normalization uses batch statistics while training and its running
/// statistics at inference; dropout masks units while training and scales by
/// (1 − ratio) at inference.
public enum Mode: Sendable {
    case training
    case inference
}

/// A layer with an explicit forward and backward pass, as in the course.
///
/// `forward` caches what `backward` needs; `backward` receives ∂L/∂out and
/// returns ∂L/∂x, storing the gradients of its parameters in
/// ``Parameter/gradient``. Layers never modify the tensors they are given.
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// Computes the layer's output for a minibatch.
    func forward(_ x: Tensor<Scalar>, mode: Mode) -> Tensor<Scalar>

    /// Propagates ∂L/∂out back to ∂L/∂x and fills its parameters' gradients.
    func backward(_ dout: Tensor<Scalar>) -> Tensor<Scalar>

    /// The learnable parameters, in a fixed order (empty for activations).
    var parameters: [Parameter<Scalar>] { get }

    /// A short description for summaries, e.g. "Affine 784→40".
    var summary: String { get }
}

extension Layer {
    public var parameters: [Parameter<Scalar>] { [] }
}

/// A layer whose inference-mode forward pass reads only its parameters (it keeps nothing for
/// a backward pass), so several threads may run it at once on different rows.
///
/// ``Network/accuracy(_:labels:batchSize:)`` splits a large set's rows between two threads only
/// when every layer of the network is one. Convolution and pooling layers keep their last
/// input at inference too, so convolutional networks keep one thread per evaluation.
public protocol StatelessInference: Layer {}

/// A layer that can copy itself as it stands, for inference on another thread while it trains
/// on: the trainer evaluates such a snapshot of a network on the second core while the first
/// core computes the next steps (``Network/snapshot()``).
public protocol Snapshotting<Scalar>: StatelessInference {
    /// A new layer with this one's parameters (values and gradients) and inference state (batch
    /// norm's running statistics) as they are now; training this layer on leaves it unchanged.
    func snapshot() -> any Layer<Scalar>
}
