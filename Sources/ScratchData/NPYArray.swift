import ScratchTensor

/// One array as NumPy's `.npy` format stores it: a dtype, a C-order shape and the elements.
///
/// The cases are the dtypes ScratchNet reads and writes:
/// ```
/// float32  '<f4'   weights and activations (the course's default precision)
/// float64  '<f8'   NumPy's default float, the book's reference values
/// int64    '<i8'   labels, counts, step numbers
/// uint8    '|u1'   raw pixels
/// string   '<U{n}' one string (a 0-d array), e.g. a JSON description of a model
/// ```
/// Elements are in row-major (C) order, the last index varying fastest, as in ``Tensor``.
/// A 0-d array (shape `[]`) holds one element.
public enum NPYArray: Sendable, Equatable {
    /// Little-endian 32-bit floats (`'<f4'`).
    case float32(shape: [Int], [Float])
    /// Little-endian 64-bit floats (`'<f8'`).
    case float64(shape: [Int], [Double])
    /// Little-endian 64-bit signed integers (`'<i8'`).
    case int64(shape: [Int], [Int64])
    /// Unsigned bytes (`'|u1'`).
    case uint8(shape: [Int], [UInt8])
    /// A single Unicode string: a 0-d array of dtype `'<U{n}'` (UTF-32, n code points).
    case string(String)

    /// The array's shape (`[]` for a 0-d array and for a string).
    public var shape: [Int] {
        switch self {
        case .float32(let shape, _), .float64(let shape, _), .int64(let shape, _), .uint8(let shape, _):
            return shape
        case .string:
            return []
        }
    }

    /// Number of elements (1 for a string).
    public var count: Int {
        switch self {
        case .float32(_, let values): return values.count
        case .float64(_, let values): return values.count
        case .int64(_, let values): return values.count
        case .uint8(_, let values): return values.count
        case .string: return 1
        }
    }

    /// NumPy's dtype string for this array: `'<f4'`, `'<f8'`, `'<i8'`, `'|u1'` or `'<U{n}'`.
    public var descr: String {
        switch self {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .int64: return "<i8"
        case .uint8: return "|u1"
        case .string(let text): return "<U\(max(1, text.unicodeScalars.count))"
        }
    }

    /// A float32 array holding a tensor's elements (float64 for a `Tensor<Double>`).
    public init<T: TensorScalar>(_ tensor: Tensor<T>) {
        if let values = tensor.scalars as? [Float] {
            self = .float32(shape: tensor.shape, values)
        } else if let values = tensor.scalars as? [Double] {
            self = .float64(shape: tensor.shape, values)
        } else {
            self = .float64(shape: tensor.shape, tensor.scalars.map { Double($0) })
        }
    }

    /// The elements as a tensor of `T`, converting from the stored dtype (float64 → float32
    /// rounds; int64 and uint8 become their float values).
    /// - Parameter name: names the array in the error.
    /// - Throws: ``NPYError/notNumeric(name:)`` for a string,
    ///   ``NPYError/countMismatch(name:shape:count:)`` when the element count does not fit the shape.
    public func tensor<T: TensorScalar>(_: T.Type = T.self, name: String = "array") throws -> Tensor<T> {
        let scalars: [T]
        switch self {
        case .float32(_, let values):
            scalars = (values as? [T]) ?? values.map { T($0) }
        case .float64(_, let values):
            scalars = (values as? [T]) ?? values.map { T($0) }
        case .int64(_, let values):
            scalars = values.map { T($0) }
        case .uint8(_, let values):
            scalars = values.map { T($0) }
        case .string:
            throw NPYError.notNumeric(name: name)
        }
        guard shapeProduct(shape) == scalars.count else {
            throw NPYError.countMismatch(name: name, shape: shape, count: scalars.count)
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The string of a `.string` array, `nil` for numbers.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
