import Foundation

/// Reads and writes NumPy's `.npy` format (what `numpy.save` / `numpy.load` use), following
/// the format specification (`numpy/lib/format.py`, NEP 1):
/// ```
/// \x93NUMPY  major minor  HEADER_LEN  {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }␣␣…␣\n  data
/// 6 bytes    1 + 1 byte   2 bytes LE (version 1.0); 4 bytes LE (2.0, 3.0)
/// ```
/// The header is a Python dict literal (keys sorted) padded with spaces and ended by `'\n'` so
/// the data starts at a multiple of 64 bytes; like NumPy, writing leaves room for the first
/// dimension to grow to 21 digits. Data follow in C order. Writing always uses version 1.0
/// (2.0 only for a header over 65,535 bytes) and little-endian dtypes; reading accepts 1.0,
/// 2.0 (4-byte header length) and 3.0 (UTF-8 header), and big-endian numbers too.
///
/// Course reference: the book saves trained parameters with `pickle`; `numpy.savez` is the
/// portable way, and ``NPZ`` reads and writes those archives.
public enum NPY {
    /// The six bytes every `.npy` file starts with: `\x93NUMPY`.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// The data start at a multiple of this many bytes.
    public static let alignment = 64
    /// NumPy leaves room in the header for the growth axis to reach this many digits.
    static let growthAxisMaxDigits = 21

    // MARK: Writing

    /// The header NumPy writes for an array of `descr` and `shape`: magic, version, length,
    /// the dict literal and its padding up to and including the final `'\n'`.
    public static func header(descr: String, shape: [Int]) -> [UInt8] {
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(pythonShape(shape)), }"
        if let first = shape.first {
            dict += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
        }
        let text = Array(dict.utf8)
        for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let textLength = text.count + 1  // the final newline
            let prefix = magic.count + 2 + lengthBytes
            let padding = alignment - (prefix + textLength) % alignment
            let headerLength = textLength + padding
            if lengthBytes == 2 && headerLength > Int(UInt16.max) { continue }
            var bytes = magic + [major, 0]
            for i in 0 ..< lengthBytes { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
            bytes += text
            bytes += [UInt8](repeating: 0x20, count: padding)
            bytes.append(0x0A)
            return bytes
        }
        return []  // unreachable: a shape list long enough to overflow version 2.0 cannot exist in memory
    }

    /// The complete `.npy` file for `array`.
    /// - Parameter name: names the array in the error.
    /// - Throws: ``NPYError/countMismatch(name:shape:count:)`` when the element count does not
    ///   match the shape (or a dimension is negative).
    public static func encode(_ array: NPYArray, name: String = "array") throws -> [UInt8] {
        if case .string = array {} else {
            guard shapeProduct(array.shape) == array.count else {
                throw NPYError.countMismatch(name: name, shape: array.shape, count: array.count)
            }
        }
        var bytes = header(descr: array.descr, shape: array.shape)
        switch array {
        case .float32(_, let values):
            appendLittleEndian(values.map { $0.bitPattern }, to: &bytes)
        case .float64(_, let values):
            appendLittleEndian(values.map { $0.bitPattern }, to: &bytes)
        case .int64(_, let values):
            appendLittleEndian(values, to: &bytes)
        case .uint8(_, let values):
            bytes += values
        case .string(let text):
            var units = text.unicodeScalars.map { $0.value }
            if units.isEmpty { units = [0] }  // NumPy stores '' as '<U1' holding one NUL
            appendLittleEndian(units, to: &bytes)
        }
        return bytes
    }

    /// Writes `array` to `url` as a `.npy` file, atomically (a temporary file in the same
    /// folder, then renamed), so a reader never sees half a file.
    /// - Throws: ``NPYError/countMismatch(name:shape:count:)`` or ``NPYError/unwritable(path:reason:)``.
    public static func write(_ array: NPYArray, to url: URL) throws {
        let bytes = try encode(array, name: url.lastPathComponent)
        try writeAtomically(Data(bytes), to: url)
    }

    // MARK: Reading

    /// Reads a `.npy` file.
    /// - Throws: ``NPYError`` naming the file when it is missing, unreadable, not `.npy`,
    ///   truncated, in Fortran order or of an unsupported dtype.
    public static func read(from url: URL) throws -> NPYArray {
        let data = try readFile(url)
        return try data.withUnsafeBytes { try decode($0, source: url.path) }
    }

    /// Decodes the bytes of a `.npy` file; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String = "the .npy data") throws -> NPYArray {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes the bytes of a `.npy` file; `source` names it in errors.
    /// - Throws: ``NPYError``: not `.npy`, unknown version, truncated header or data,
    ///   malformed header, Fortran order, unsupported dtype, a non-0-d string array.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> NPYArray {
        let layout = try headerLayout(bytes, source: source)
        let text = try headerText(bytes, layout: layout, source: source)
        let header = try parseHeader(text, source: source)
        guard !header.fortranOrder else { throw NPYError.fortranOrder(source: source) }
        let dtype = try DType(descr: header.descr, source: source)
        guard let count = shapeProduct(header.shape) else {
            throw NPYError.invalidShape(source: source, shape: header.shape)
        }
        if case .unicode = dtype.kind, !header.shape.isEmpty {
            throw NPYError.unsupportedStringShape(source: source, shape: header.shape)
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw NPYError.invalidShape(source: source, shape: header.shape) }
        let available = bytes.count - layout.dataStart
        guard needed <= available else {
            throw NPYError.truncatedData(source: source, needed: needed, available: available)
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[layout.dataStart ..< layout.dataStart + needed])
        let shape = header.shape
        switch dtype.kind {
        case .float32:
            return .float32(shape: shape, loadUInt32(data, count: count, bigEndian: dtype.bigEndian).map(Float.init(bitPattern:)))
        case .float64:
            return .float64(shape: shape, loadUInt64(data, count: count, bigEndian: dtype.bigEndian).map(Double.init(bitPattern:)))
        case .int64:
            return .int64(shape: shape, loadUInt64(data, count: count, bigEndian: dtype.bigEndian).map { Int64(bitPattern: $0) })
        case .uint8:
            return .uint8(shape: shape, Array(data))
        case .unicode:
            var units = loadUInt32(data, count: dtype.itemSize / 4, bigEndian: dtype.bigEndian)
            while units.last == 0 { units.removeLast() }  // NumPy pads with NULs and strips them
            var scalars = String.UnicodeScalarView()
            for unit in units {
                guard let scalar = Unicode.Scalar(unit) else { throw NPYError.invalidString(source: source) }
                scalars.append(scalar)
            }
            return .string(String(scalars))
        }
    }

    // MARK: Header

    /// Where the header text and the data lie in a file.
    struct HeaderLayout {
        var major: UInt8
        var textStart: Int
        var dataStart: Int
    }

    static func headerLayout(_ bytes: UnsafeRawBufferPointer, source: String) throws -> HeaderLayout {
        let prefixLength = min(bytes.count, magic.count)
        guard zip(bytes.prefix(prefixLength), magic).allSatisfy({ $0 == $1 }) else {
            throw NPYError.notNPY(source: source)
        }
        guard bytes.count >= 10 else {
            throw NPYError.truncatedHeader(source: source, needed: 10, available: bytes.count)
        }
        let major = bytes[6], minor = bytes[7]
        guard (1 ... 3).contains(major), minor == 0 else {
            throw NPYError.unsupportedVersion(source: source, major: major, minor: minor)
        }
        let lengthBytes = major == 1 ? 2 : 4
        let textStart = 8 + lengthBytes
        guard bytes.count >= textStart else {
            throw NPYError.truncatedHeader(source: source, needed: textStart, available: bytes.count)
        }
        var length = 0
        for i in 0 ..< lengthBytes { length |= Int(bytes[8 + i]) << (8 * i) }
        let dataStart = textStart + length
        guard bytes.count >= dataStart else {
            throw NPYError.truncatedHeader(source: source, needed: dataStart, available: bytes.count)
        }
        return HeaderLayout(major: major, textStart: textStart, dataStart: dataStart)
    }

    static func headerText(_ bytes: UnsafeRawBufferPointer, layout: HeaderLayout, source: String) throws -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[layout.textStart ..< layout.dataStart])
        if layout.major == 3 {
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw NPYError.malformedHeader(source: source, reason: "a version 3.0 header must be UTF-8")
            }
            return text
        }
        // Versions 1.0 and 2.0: latin-1, one byte per character.
        return String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) }))
    }

    /// The three fields of a `.npy` header.
    public struct Header: Sendable, Equatable {
        /// The dtype string, e.g. `'<f4'` (for a structured dtype, its list as written).
        public var descr: String
        /// Whether the data are in Fortran (column-major) order.
        public var fortranOrder: Bool
        /// The shape; `[]` for a 0-d array.
        public var shape: [Int]
    }

    /// Parses the header's dict literal, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    /// - Throws: ``NPYError/malformedHeader(source:reason:)``.
    public static func parseHeader(_ text: String, source: String = "the .npy data") throws -> Header {
        var parser = PythonLiteralParser(text: text)
        let value: PythonLiteral
        do {
            value = try parser.parseTopLevel()
        } catch let failure as PythonLiteralParser.Failure {
            throw NPYError.malformedHeader(source: source, reason: failure.reason)
        }
        guard case .dict(let entries) = value else {
            throw NPYError.malformedHeader(source: source, reason: "it is not a Python dict")
        }
        func field(_ key: String) throws -> PythonLiteral {
            guard let entry = entries.first(where: { $0.key == .string(key) }) else {
                throw NPYError.malformedHeader(source: source, reason: "the key '\(key)' is missing")
            }
            return entry.value
        }
        let descr: String
        switch try field("descr") {
        case .string(let text): descr = text
        case let other: descr = other.pythonText  // a structured dtype: reported as unsupported
        }
        guard case .bool(let fortranOrder) = try field("fortran_order") else {
            throw NPYError.malformedHeader(source: source, reason: "'fortran_order' must be True or False")
        }
        guard case .tuple(let items) = try field("shape") else {
            throw NPYError.malformedHeader(source: source, reason: "'shape' must be a tuple of integers")
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let dimension) = item, dimension >= 0 else {
                throw NPYError.malformedHeader(source: source, reason: "'shape' must be a tuple of non-negative integers")
            }
            shape.append(dimension)
        }
        return Header(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    /// A dtype this reader understands.
    struct DType {
        enum Kind { case float32, float64, int64, uint8, unicode }
        var kind: Kind
        var itemSize: Int
        var bigEndian: Bool

        init(descr: String, source: String) throws {
            var body = Substring(descr)
            var order: Character = "="
            if let first = body.first, "<>|=".contains(first) {
                order = first
                body = body.dropFirst()
            }
            let hostBigEndian = 1.bigEndian == 1
            bigEndian = order == ">" || (order == "=" && hostBigEndian)
            switch body {
            case "f4": kind = .float32; itemSize = 4
            case "f8": kind = .float64; itemSize = 8
            case "i8": kind = .int64; itemSize = 8
            case "u1": kind = .uint8; itemSize = 1
            default:
                if body.first == "U", let characters = Int(body.dropFirst()), characters >= 0,
                   characters <= Int.max / 4 {
                    kind = .unicode
                    itemSize = characters * 4
                } else {
                    throw NPYError.unsupportedDType(source: source, descr: descr)
                }
            }
        }
    }

    // MARK: Bytes

    static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to bytes: inout [UInt8]) {
        let little = values.map { $0.littleEndian }
        little.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    static func loadUInt32(_ raw: UnsafeRawBufferPointer, count: Int, bigEndian: Bool) -> [UInt32] {
        let values = copyOut(raw, count: count, as: UInt32.self)
        return bigEndian ? values.map { UInt32(bigEndian: $0) } : values.map { UInt32(littleEndian: $0) }
    }

    static func loadUInt64(_ raw: UnsafeRawBufferPointer, count: Int, bigEndian: Bool) -> [UInt64] {
        let values = copyOut(raw, count: count, as: UInt64.self)
        return bigEndian ? values.map { UInt64(bigEndian: $0) } : values.map { UInt64(littleEndian: $0) }
    }

    /// Copies `count` values of `T` out of possibly unaligned bytes (`raw` holds at least that many).
    static func copyOut<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, count: Int, as _: T.Type) -> [T] {
        let byteCount = min(raw.count, count * MemoryLayout<T>.size)
        let whole = byteCount / MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: whole) { buffer, initialized in
            if whole > 0, let source = raw.baseAddress {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(start: source, count: whole * MemoryLayout<T>.size))
            }
            initialized = whole
        }
    }

    // MARK: Files

    /// Reads a whole file, with ``NPYError`` for a missing or unreadable one.
    static func readFile(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw NPYError.fileNotFound(path: url.path)
        }
        guard !isDirectory.boolValue else { throw NPYError.unreadable(path: url.path, reason: "it is a folder") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw NPYError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw NPYError.unwritable(path: url.path, reason: error.localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NPYError.unwritable(path: url.path, reason: reason)
        }
    }
}
