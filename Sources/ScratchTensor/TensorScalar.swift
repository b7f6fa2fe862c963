import RealModule

/// The element types a ``Tensor`` can hold: `Float` (training) and `Double`
/// (gradient checks and the `--precision float64` mode that reproduces the
/// course's NumPy float64 arithmetic).
///
/// `Real` (swift-numerics) supplies `exp`, `log`, `tanh`, `sqrt`, ... for both.
/// The matrix-multiply routine is a requirement so ``MatMul`` can reach the
/// single- or double-precision BLAS routine without a runtime type check.
public protocol TensorScalar: Real, BinaryFloatingPoint, SIMDScalar, Sendable, Codable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// Human-readable precision name ("float32" / "float64").
    static var precisionName: String { get }
}

extension Float: TensorScalar {
    public static var precisionName: String { "float32" }
}

extension Double: TensorScalar {
    public static var precisionName: String { "float64" }
}
