import ScratchTensor

/// Nesterov's accelerated gradient in the book's form (course 2_4).
/// ```
/// p ← p + μ²·v − (1 + μ)·lr·g
/// v ← μ·v − lr·g
/// ```
public struct Nesterov<Scalar: TensorScalar>: Optimizer {
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
                p = p + (mu * mu * v - (1 + mu) * lr * g)
                v = mu * v - lr * g
            }
        }
    }
}
