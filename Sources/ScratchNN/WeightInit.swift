import RealModule
import ScratchTensor

/// How weight matrices start (biases always start at zero).
///
/// The course (2_2) shows that this choice decides whether gradients vanish:
/// - ``gaussian(std:)``: N(0, std²); the notes use std 0.01.
/// - ``xavier``: std = √(1 / n_in) — suited to sigmoid and tanh.
/// - ``he``: std = √(2 / n_in) — suited to ReLU.
/// - ``zeros``: every weight 0; demonstrates that symmetry is never broken.
public enum WeightInit: Sendable, Equatable {
    case gaussian(std: Double)
    case xavier
    case he
    case zeros

    /// The standard deviation for a layer with `fanIn` inputs.
    public func standardDeviation(fanIn: Int) -> Double {
        switch self {
        case .gaussian(let std): std
        case .xavier: (1 / Double(fanIn)).squareRoot()
        case .he: (2 / Double(fanIn)).squareRoot()
        case .zeros: 0
        }
    }

    /// Draws a weight tensor of `shape` whose fan-in is `fanIn`.
    public func sample<T: TensorScalar>(
        shape: [Int], fanIn: Int, using rng: inout RandomGenerator, as _: T.Type = T.self
    ) -> Tensor<T> {
        let std = standardDeviation(fanIn: fanIn)
        let count = shape.reduce(1, *)
        if std == 0 { return Tensor(shape: shape) }
        return Tensor(shape: shape, scalars: (0..<count).map { _ in T(std * rng.normal()) })
    }
}

/// The activation function after each hidden Affine layer.
public enum Activation: String, Sendable, CaseIterable {
    case sigmoid, relu, tanh

    /// A fresh activation layer of this kind.
    public func makeLayer<T: TensorScalar>(_: T.Type) -> any Layer<T> {
        switch self {
        case .sigmoid: Sigmoid<T>()
        case .relu: ReLU<T>()
        case .tanh: Tanh<T>()
        }
    }
}
