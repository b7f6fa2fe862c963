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

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if velocity.isEmpty { velocity = parameters.map { Tensor(shape: $0.value.shape) } }
        let (lr, mu) = (learningRate, momentum)
        for (i, p) in parameters.enumerated() {
            Tensor.updateElements(&p.value, &velocity[i], p.gradient) { p, v, g in
                v = mu * v - lr * g
                p = p + v
            }
        }
    }
}
