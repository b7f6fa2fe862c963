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
    private var probabilities: Tensor<Scalar>?
    private var labels: [Int] = []
    public init() {}

    /// The mean cross-entropy loss of `x`'s softmax against `labels`.
    public func forward(_ x: Tensor<Scalar>, labels: [Int]) -> Scalar {
        // softmax and Loss.crossEntropy in one pass over the rows
        let (y, loss) = x.softmaxCrossEntropy(labels: labels)
        probabilities = y
        self.labels = labels
        return loss
    }

    /// ∂L/∂x = (y − t) / N.
    public func backward() -> Tensor<Scalar> {
        guard let y = probabilities else { preconditionFailure("SoftmaxWithLoss.backward called before forward") }
        return y.softmaxCrossEntropyGradient(labels: labels)   // (y − one-hot(labels)) / N
    }
}
