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
        let y = x.softmaxRows()
        probabilities = y
        self.labels = labels
        return Loss.crossEntropy(y, labels: labels)
    }

    /// ∂L/∂x = (y − t) / N.
    public func backward() -> Tensor<Scalar> {
        guard let y = probabilities else { preconditionFailure("SoftmaxWithLoss.backward called before forward") }
        let t = Tensor<Scalar>.oneHot(labels, classes: y.columns)
        return (y - t) * (1 / Scalar(labels.count))
    }
}
