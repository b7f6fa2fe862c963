import ScratchTensor

/// Stochastic gradient descent (course 2_4).
/// ```
/// p ← p − lr·g
/// ```
public struct SGD<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Scalar

    public init(learningRate: Double) { self.learningRate = Scalar(learningRate) }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        let lr = learningRate
        for p in parameters {
            Tensor.updateElements(&p.value, p.gradient) { p, g in p = p - lr * g }
        }
    }
}
