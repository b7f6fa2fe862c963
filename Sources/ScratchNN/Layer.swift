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
///
/// A training step allocates nothing once its buffers exist: layers write their outputs and
/// gradients over the last step's (a caller that keeps one gets its own copy when the layer
/// writes again: copy-on-write), and a layer that keeps its input for the backward pass
/// (Affine, Convolution) lets go of it there, so each forward pass's input serves one backward
/// pass, as in PyTorch without `retain_graph`: run `forward` again before another `backward`.
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
/// a backward pass), so several threads may run it at once on different rows, and a copy of it
/// as it stands can run on another thread while it trains on.
///
/// ``Network/accuracy(_:labels:batchSize:)`` splits a large set's rows between two threads only
/// when every layer of the network is one, and the trainer evaluates a snapshot of such a
/// network on the second core while the first computes the next steps (``Network/snapshot()``).
/// Convolution and pooling layers keep their last input at inference too, so convolutional
/// networks keep one thread per evaluation and have no snapshot.
public protocol StatelessInference<Scalar>: Layer {
    /// A new layer with this one's parameters (values and gradients) and inference state (batch
    /// norm's running statistics) as they are now; training this layer on leaves it unchanged.
    func snapshot() -> any Layer<Scalar>
}
