import ScratchTensor

/// RMSProp (course 2_4; decay ρ = 0.99). The notes drop the h term by
/// mistake (h = α + (1 − α)g²); this is the form the course's code uses:
/// ```
/// h ← ρ·h + (1 − ρ)·g²
/// p ← p − lr·g / (√h + 1e-7)
/// ```
/// With ρ = 1, h stays 0 and the step is lr·g/1e-7: the run diverges.
public struct RMSProp<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Scalar
    public var decay: Scalar
    private var history: [Tensor<Scalar>] = []

    public init(learningRate: Double, decay: Double = 0.99) {
        self.learningRate = Scalar(learningRate)
        self.decay = Scalar(decay)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if history.isEmpty { history = parameters.map { Tensor(shape: $0.value.shape) } }
        let (lr, rho) = (learningRate, decay)
        for (i, p) in parameters.enumerated() {
            Tensor.updateElements(&p.value, &history[i], p.gradient) { p, h, g in
                h = rho * h + (1 - rho) * (g * g)
                p = p - lr * g / (h.squareRoot() + 1e-7)
            }
        }
    }
}
