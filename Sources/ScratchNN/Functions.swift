import ScratchTensor

/// The course's loss functions (Day 1 recap, used by every hands-on).
public enum Loss {
    /// Cross-entropy error averaged over the batch:
    /// ```
    /// E = −Σᵢ log(y[i, tᵢ] + 1e-7) / N
    /// ```
    /// `y` is `[N, classes]` probabilities; `labels` holds each row's class.
    /// The 1e-7 keeps log away from −∞ when a probability is exactly 0.
    public static func crossEntropy<T: TensorScalar>(_ y: Tensor<T>, labels: [Int]) -> T {
        precondition(y.rows == labels.count, "\(y.rows) predictions for \(labels.count) labels")
        let classes = y.columns
        var total: T = 0
        for (i, label) in labels.enumerated() {
            total -= T.log(y.scalars[i * classes + label] + 1e-7)
        }
        return total / T(labels.count)
    }

    /// Mean squared error as in the course: E = ½ Σ (y − t)² (summed over the batch).
    public static func meanSquared<T: TensorScalar>(_ y: Tensor<T>, _ t: Tensor<T>) -> T {
        (y - t).sumOfSquares() / 2
    }
}
