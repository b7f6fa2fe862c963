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

    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if velocity.isEmpty { velocity = parameters.map { Tensor(shape: $0.value.shape) } }
        for (i, p) in parameters.enumerated() {
            p.value += momentum * momentum * velocity[i] - (1 + momentum) * learningRate * p.gradient
            velocity[i] = momentum * velocity[i] - learningRate * p.gradient
        }
    }
}
