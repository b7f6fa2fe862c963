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

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if history.isEmpty { history = parameters.map { Tensor(shape: $0.value.shape) } }
        let lr = learningRate
        for (i, p) in parameters.enumerated() {
            Tensor.updateElements(&p.value, &history[i], p.gradient) { p, h, g in
                h = h + g * g
                p = p - lr * g / (h.squareRoot() + 1e-7)
            }
        }
    }
}
