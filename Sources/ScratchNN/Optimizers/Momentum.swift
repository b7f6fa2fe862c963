import ScratchTensor

/// Momentum SGD (course 2_4; μ = 0.9 as in the course's code).
/// ```
/// v ← μ·v − lr·g
/// p ← p + v
/// ```
public struct Momentum<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Scalar
    public var momentum: Scalar
    private var velocity: [Tensor<Scalar>] = []

    public init(learningRate: Double, momentum: Double = 0.9) {
        self.learningRate = Scalar(learningRate)
        self.momentum = Scalar(momentum)
    }

    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if velocity.isEmpty { velocity = parameters.map { Tensor(shape: $0.value.shape) } }
        for (i, p) in parameters.enumerated() {
            velocity[i] = momentum * velocity[i] - learningRate * p.gradient
            p.value += velocity[i]
        }
    }
}
