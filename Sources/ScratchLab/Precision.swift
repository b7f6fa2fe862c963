import ScratchTensor

/// The floating-point precision a run computes in.
///
/// `float32` is the default for training; `float64` reproduces the course's
/// NumPy arithmetic (NumPy computes in float64 by default).
public enum Precision: String, Sendable, CaseIterable {
    case float32
    case float64

    /// Calls `body` with the Swift type of this precision.
    public func dispatch<R>(_ body: (any TensorScalar.Type) throws -> R) rethrows -> R {
        switch self {
        case .float32: try body(Float.self)
        case .float64: try body(Double.self)
        }
    }
}
