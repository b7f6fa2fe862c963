import ScratchTensor

/// A rule that updates parameters from their gradients (course 2_4).
///
/// Each optimizer is one small type holding its hyperparameters and its
/// per-parameter state; `update` walks the flat parameter list of a network.
/// The state is created on the first call, in the order of `parameters`, so
/// pass the same list every time.
public protocol Optimizer<Scalar> {
    associatedtype Scalar: TensorScalar
    /// Applies one update using each parameter's current ``Parameter/gradient``.
    mutating func update(_ parameters: [Parameter<Scalar>])
}

/// The optimizers of the course as typed configuration, with the course's
/// default hyperparameters.
public enum OptimizerKind: Sendable, Equatable, CustomStringConvertible {
    case sgd(learningRate: Double)
    case momentum(learningRate: Double, momentum: Double = 0.9)
    case nesterov(learningRate: Double, momentum: Double = 0.9)
    case adagrad(learningRate: Double)
    case rmsprop(learningRate: Double, decay: Double = 0.99)
    case adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999)

    /// A fresh optimizer with zero state.
    public func make<T: TensorScalar>(_: T.Type = T.self) -> any Optimizer<T> {
        switch self {
        case .sgd(let lr): SGD<T>(learningRate: lr)
        case .momentum(let lr, let mu): Momentum<T>(learningRate: lr, momentum: mu)
        case .nesterov(let lr, let mu): Nesterov<T>(learningRate: lr, momentum: mu)
        case .adagrad(let lr): AdaGrad<T>(learningRate: lr)
        case .rmsprop(let lr, let rho): RMSProp<T>(learningRate: lr, decay: rho)
        case .adam(let lr, let b1, let b2): Adam<T>(learningRate: lr, beta1: b1, beta2: b2)
        }
    }

    public var learningRate: Double {
        switch self {
        case .sgd(let lr), .momentum(let lr, _), .nesterov(let lr, _), .adagrad(let lr),
             .rmsprop(let lr, _), .adam(let lr, _, _): lr
        }
    }

    /// The name used on the command line.
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .momentum: "momentum"
        case .nesterov: "nesterov"
        case .adagrad: "adagrad"
        case .rmsprop: "rmsprop"
        case .adam: "adam"
        }
    }

    public var description: String {
        switch self {
        case .sgd(let lr): "SGD lr=\(lr)"
        case .momentum(let lr, let mu): "Momentum lr=\(lr) μ=\(mu)"
        case .nesterov(let lr, let mu): "Nesterov lr=\(lr) μ=\(mu)"
        case .adagrad(let lr): "AdaGrad lr=\(lr)"
        case .rmsprop(let lr, let rho): "RMSProp lr=\(lr) decay=\(rho)"
        case .adam(let lr, let b1, let b2): "Adam lr=\(lr) β1=\(b1) β2=\(b2)"
        }
    }
}
