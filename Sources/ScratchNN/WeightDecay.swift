import ScratchTensor

/// Weight decay (course 2_5): a penalty on the weights added to the loss.
///
/// ```
/// L2: loss += ½·λ·ΣW²    gradient += λ·W
/// L1: loss += λ·Σ|W|     gradient += λ·sign(W)
/// ```
/// It applies to every weight matrix (``Parameter/Kind/weight``), the output
/// layer's included; biases and batch-norm γ/β are not decayed. Both terms
/// may be used together.
public struct WeightDecay: Sendable, Equatable, CustomStringConvertible {
    public var l2: Double
    public var l1: Double

    public init(l2: Double = 0, l1: Double = 0) {
        self.l2 = l2
        self.l1 = l1
    }

    public static let none = WeightDecay()
    public var isNone: Bool { l1 == 0 && l2 == 0 }

    /// The penalty term for these parameters, added to `initial` (one sum over several lists).
    public func penalty<T: TensorScalar>(_ parameters: [Parameter<T>], plus initial: T = 0) -> T {
        guard !isNone else { return initial }
        var total = initial
        for p in parameters where p.kind == .weight {
            if l2 != 0 { total += T(0.5 * l2) * p.value.sumOfSquares() }
            if l1 != 0 { total += T(l1) * p.value.sumOfAbsolutes() }
        }
        return total
    }

    /// Adds the penalty's gradient to each weight's gradient.
    public func addGradient<T: TensorScalar>(to parameters: [Parameter<T>]) {
        guard !isNone else { return }
        for p in parameters where p.kind == .weight {
            if l2 != 0 { p.gradient.addScaled(p.value, by: T(l2)) }
            if l1 != 0 { p.gradient.addScaledSign(of: p.value, by: T(l1)) }
        }
    }

    public var description: String {
        switch (l2, l1) {
        case (0, 0): "none"
        case (_, 0): "L2 λ=\(l2)"
        case (0, _): "L1 λ=\(l1)"
        default: "L2 λ=\(l2) + L1 λ=\(l1)"
        }
    }
}
