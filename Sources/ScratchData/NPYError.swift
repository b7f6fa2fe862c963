import Foundation

/// Why a NumPy `.npy` or `.npz` file could not be read or written.
///
/// Every ``description`` is one sentence naming the file (and the entry of an `.npz`), the
/// problem and what to do, for example: "weights.npz (entry W1.npy) uses the dtype '<c8'
/// (complex64), which ScratchNet does not read; save it as one of '<f4' (float32), '<f8'
/// (float64), '<i8' (int64), '|u1' (uint8) or '<U…' (a single string), e.g. with
/// `arr.astype(np.float32)`."
public enum NPYError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, I/O error, a folder in its place).
    case unreadable(path: String, reason: String)
    /// The file could not be written (missing folder, permissions, full disk).
    case unwritable(path: String, reason: String)
    /// The data does not start with the `.npy` magic string `\x93NUMPY`.
    case notNPY(source: String)
    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(source: String, major: UInt8, minor: UInt8)
    /// The file ends inside its header.
    case truncatedHeader(source: String, needed: Int, available: Int)
    /// The header is not the Python dictionary literal the format prescribes.
    case malformedHeader(source: String, reason: String)
    /// The array is stored in Fortran (column-major) order.
    case fortranOrder(source: String)
    /// The array's dtype is not one ScratchNet reads.
    case unsupportedDType(source: String, descr: String)
    /// A string array whose UTF-32 data holds a value that is not a Unicode scalar.
    case invalidString(source: String)
    /// A string array that is not 0-dimensional.
    case unsupportedStringShape(source: String, shape: [Int])
    /// The file holds fewer data bytes than its header's shape and dtype need.
    case truncatedData(source: String, needed: Int, available: Int)
    /// A dimension is negative or the element count overflows.
    case invalidShape(source: String, shape: [Int])
    /// An array to be written whose element count does not match its shape.
    case countMismatch(name: String, shape: [Int], count: Int)
    /// A string array was asked for as numbers (or the reverse).
    case notNumeric(name: String)
    /// The file is not a zip archive (an `.npz` is one).
    case notZip(source: String)
    /// The zip archive is damaged or uses a feature this reader lacks.
    case corruptZip(source: String, reason: String)
    /// An `.npz` entry is not a valid `.npy` file; `reason` is that error's sentence, naming
    /// the archive and the entry, e.g. "model.npz (entry W1.npy) is truncated: …".
    case invalidEntry(path: String, entry: String, reason: String)
    /// An array name that cannot be stored in an `.npz`, or a repeated one.
    case invalidName(name: String, reason: String)
    /// The requested array is not in the `.npz`.
    case missingArray(path: String, name: String, available: [String])

    /// The dtypes ScratchNet reads and writes, for messages.
    public static let supportedDTypes = "'<f4' (float32), '<f8' (float64), '<i8' (int64), '|u1' (uint8) or '<U…' (a single string)"

    /// One sentence: the file, the problem, and what to do.
    public var description: String {
        let resave = "save it again with numpy.save / numpy.savez or ScratchNet"
        switch self {
        case .fileNotFound(let path):
            return "\(path) does not exist; check the path, or create it with numpy.save / numpy.savez or ScratchNet."
        case .unreadable(let path, let reason):
            return "\(path) could not be read (\(reason)); check that it is a readable file."
        case .unwritable(let path, let reason):
            return "\(path) could not be written (\(reason)); check that its folder exists and is writable and that the disk has room."
        case .notNPY(let source):
            return "\(source) is not a NumPy .npy file (it does not start with the magic string \\x93NUMPY); \(resave)."
        case .unsupportedVersion(let source, let major, let minor):
            return "\(source) uses .npy format version \(major).\(minor), but only versions 1.0, 2.0 and 3.0 exist; \(resave)."
        case .truncatedHeader(let source, let needed, let available):
            return "\(source) is truncated: its .npy header needs \(grouped(needed)) bytes but only \(grouped(available)) are there; \(resave)."
        case .malformedHeader(let source, let reason):
            return "\(source) has a malformed .npy header (\(reason)); \(resave)."
        case .fortranOrder(let source):
            return "\(source) stores its array in Fortran (column-major) order, which ScratchNet does not read; save np.ascontiguousarray(arr) instead."
        case .unsupportedDType(let source, let descr):
            return "\(source) uses the dtype '\(descr)'\(Self.dtypeName(descr).map { " (\($0))" } ?? ""), which ScratchNet does not read; save it as one of \(Self.supportedDTypes), e.g. with arr.astype(np.float32)."
        case .invalidString(let source):
            return "\(source) holds a string whose UTF-32 data contains a value that is not a Unicode character, so the file is damaged; \(resave)."
        case .unsupportedStringShape(let source, let shape):
            return "\(source) holds an array of strings of shape \(pythonShape(shape)), but ScratchNet reads only a single string (shape ()); save np.array(\"text\") or join the strings into one."
        case .truncatedData(let source, let needed, let available):
            return "\(source) is truncated: its header's shape and dtype need \(grouped(needed)) bytes of data but only \(grouped(available)) are there; \(resave)."
        case .invalidShape(let source, let shape):
            return "\(source) has the impossible shape \(pythonShape(shape)) (a negative dimension or more elements than memory can hold); \(resave)."
        case .countMismatch(let name, let shape, let count):
            return "The array \(name) has \(grouped(count)) elements but its shape \(pythonShape(shape)) needs \(grouped(shapeProduct(shape) ?? -1)); make the shape and the element list agree before saving."
        case .notNumeric(let name):
            return "\(name) holds a string, not numbers, so it cannot become a tensor; read it as NPYArray.string instead."
        case .notZip(let source):
            return "\(source) is not an .npz file (it is not a zip archive); save it with numpy.savez or ScratchNet, or use NPY.read for a single .npy file."
        case .corruptZip(let source, let reason):
            return "\(source) is a damaged .npz (zip) file (\(reason)); save it again with numpy.savez or ScratchNet."
        case .invalidEntry(_, _, let reason):
            return reason
        case .invalidName(let name, let reason):
            return "The array name \"\(name)\" cannot be stored in an .npz (\(reason)); give every array a distinct, non-empty name."
        case .missingArray(let path, let name, let available):
            return "\(path) holds no array named \(name) (it holds \(available.isEmpty ? "none" : available.joined(separator: ", "))); check the name, or save the array under it."
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }

    /// NumPy's name for common dtype strings, so a message can say "complex64" for '<c8'.
    static func dtypeName(_ descr: String) -> String? {
        guard descr.count >= 2 else { return nil }
        let body = descr.first.map { "<>|=".contains($0) } == true ? String(descr.dropFirst()) : descr
        let kinds: [Character: String] = ["f": "float", "i": "int", "u": "uint", "c": "complex", "b": "bool",
                                          "U": "unicode string", "S": "byte string", "O": "Python object",
                                          "M": "datetime64", "m": "timedelta64", "V": "raw bytes"]
        guard let kind = body.first, let name = kinds[kind], let size = Int(body.dropFirst()) else { return nil }
        switch kind {
        case "f", "i", "u", "c": return "\(name)\(size * 8)"
        case "b": return name
        case "O": return name
        default: return "\(name) of \(size) \(kind == "U" ? "characters" : "bytes")"
        }
    }
}

/// A shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`.
func pythonShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// The element count of a shape, or `nil` when a dimension is negative or the product overflows.
func shapeProduct(_ shape: [Int]) -> Int? {
    var product = 1
    for dimension in shape {
        guard dimension >= 0 else { return nil }
        let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
        guard !overflow else { return nil }
        product = next
    }
    return product
}
