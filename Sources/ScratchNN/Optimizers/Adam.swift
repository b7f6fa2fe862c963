import RealModule
import ScratchTensor

/// Adam (Kingma & Ba, 2015) in the course's form (2_4; β₁ = 0.9, β₂ = 0.999).
/// ```
/// t ← t + 1
/// lr_t = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
/// m ← m + (1 − β₁)(g − m)
/// v ← v + (1 − β₂)(g² − v)
/// p ← p − lr_t·m / (√v + 1e-7)
/// ```
public struct Adam<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    private var step = 0
    private var m: [Tensor<Scalar>] = []
    private var v: [Tensor<Scalar>] = []

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func update(_ parameters: [Parameter<Scalar>]) {
        if m.isEmpty {
            m = parameters.map { Tensor(shape: $0.value.shape) }
            v = m
        }
        step += 1
        let t = Double(step)
        let lrT = Scalar(learningRate * (1 - Double.pow(beta2, t)).squareRoot() / (1 - Double.pow(beta1, t)))
        let (oneMinusBeta1, oneMinusBeta2) = (Scalar(1 - beta1), Scalar(1 - beta2))
        for (i, p) in parameters.enumerated() {
            Tensor.updateElements(&p.value, &m[i], &v[i], p.gradient) { p, m, v, g in
                m = m + oneMinusBeta1 * (g - m)
                v = v + oneMinusBeta2 * (g * g - v)
                p = p - lrT * m / (v.squareRoot() + 1e-7)
            }
        }
    }
}
