import ScratchTensor

/// Softmax followed by the cross-entropy loss: the output layer of every
/// classifier in the course.
///
/// ```
/// forward:  y = softmax(x) (row max subtracted),  L = −Σᵢ log(y[i, tᵢ] + 1e-7) / N
/// backward: dx = (y − t) / N        (t one-hot)
/// ```
/// Shapes: `x [N, classes]`, labels `[N]` → a scalar loss; `dx [N, classes]`.
public final class SoftmaxWithLoss<Scalar: TensorScalar> {
    /// The last forward pass's probabilities and labels, and the gradient, each written over
    /// the last (the labels copied: the caller may reuse its array).
    private var probabilities = Tensor<Scalar>()
    private var labels: [Int] = []
    private var gradient = Tensor<Scalar>()
    private var hasForward = false
    public init() {}

    /// The mean cross-entropy loss of `x`'s softmax against `labels`.
    public func forward(_ x: Tensor<Scalar>, labels: [Int]) -> Scalar {
        // softmax and Loss.crossEntropy in one pass over the rows
        let loss = x.softmaxCrossEntropy(labels: labels, into: &probabilities)
        self.labels.removeAll(keepingCapacity: true)
        self.labels.append(contentsOf: labels)
        hasForward = true
        return loss
    }

    /// ∂L/∂x = (y − t) / N.
    public func backward() -> Tensor<Scalar> {
        precondition(hasForward, "SoftmaxWithLoss.backward called before forward")
        probabilities.softmaxCrossEntropyGradient(labels: labels, into: &gradient)   // (y − one-hot(labels)) / N
        return gradient
    }
}
