import ScratchTensor

/// AdaGrad (course 2_4): each parameter's step shrinks with its history.
/// ```
/// h ← h + g²
/// p ← p − lr·g / (√h + 1e-7)
/// ```
public struct AdaGrad<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Scalar
    private var history: [Tensor<Scalar>] = []

    public init(learningRate: Double) { self.learningRate = Scalar(learningRate) }

    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if history.isEmpty { history = parameters.map { Tensor(shape: $0.value.shape) } }
        for (i, p) in parameters.enumerated() {
            history[i] += p.gradient.squared()
            p.value -= learningRate * p.gradient / (history[i].sqrt() + 1e-7)
        }
    }
}
