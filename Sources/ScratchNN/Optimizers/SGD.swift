import ScratchTensor

/// Stochastic gradient descent (course 2_4).
/// ```
/// p ← p − lr·g
/// ```
public struct SGD<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Scalar

    public init(learningRate: Double) { self.learningRate = Scalar(learningRate) }

    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        for p in parameters { p.value.addScaled(p.gradient, by: -learningRate) }
    }
}
