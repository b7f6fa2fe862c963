import Foundation

/// Reads and writes NumPy's `.npz` archives: a zip file holding one `<name>.npy` entry per
/// array, as `numpy.savez(file, W1=..., b1=...)` writes and `numpy.load(file)` reads.
///
/// ```swift
/// try NPZ.write([("W1", NPYArray(w1)), ("b1", NPYArray(b1))], to: url)
/// let arrays = try NPZ.read(from: url)          // [(name: "W1", array: ...), (name: "b1", ...)]
/// let w1: Tensor<Float> = try arrays[0].array.tensor()
/// ```
/// Entries are written STORED (uncompressed) in the given order, like `numpy.savez`; reading
/// accepts stored and deflated entries (`numpy.savez_compressed`) and keeps the archive's order.
public enum NPZ {
    /// One named array of an archive.
    public typealias NamedArray = (name: String, array: NPYArray)

    /// Writes `arrays` to `url` as an `.npz`, atomically (a temporary file in the same folder,
    /// then renamed over `url`), entries in the given order, each named `<name>.npy`.
    /// - Throws: ``NPYError/invalidName(name:reason:)`` for an empty or repeated name,
    ///   ``NPYError/countMismatch(name:shape:count:)`` when an array's elements do not fit its
    ///   shape, ``NPYError/unwritable(path:reason:)``.
    public static func write(_ arrays: [NamedArray], to url: URL) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(arrays)
        } catch ZipArchive.Failure.tooLarge(let reason) {
            throw NPYError.unwritable(path: url.path, reason: reason)
        }
        try NPY.writeAtomically(Data(bytes), to: url)
    }

    /// The bytes of an `.npz` archive holding `arrays` (see ``write(_:to:)``).
    public static func encode(_ arrays: [NamedArray]) throws -> [UInt8] {
        var seen = Set<String>()
        var entries: [ZipArchive.Entry] = []
        for (name, array) in arrays {
            guard !name.isEmpty else { throw NPYError.invalidName(name: name, reason: "it is empty") }
            guard !name.hasSuffix("/") else { throw NPYError.invalidName(name: name, reason: "it ends with /, which names a folder in a zip") }
            guard seen.insert(name).inserted else {
                throw NPYError.invalidName(name: name, reason: "another array already has it")
            }
            entries.append(ZipArchive.Entry(name: name + ".npy", bytes: try NPY.encode(array, name: name)))
        }
        do {
            return try ZipArchive.archive(entries)
        } catch ZipArchive.Failure.tooLarge(let reason) {
            throw NPYError.unwritable(path: "the .npz archive", reason: reason)
        }
    }

    /// Reads every array of an `.npz`, in archive order, named without the `.npy` suffix.
    /// - Throws: ``NPYError`` naming the file: missing or unreadable, not a zip, a damaged zip,
    ///   or an entry that is not a valid `.npy` (named, with the reason).
    public static func read(from url: URL) throws -> [NamedArray] {
        let data = try NPY.readFile(url)
        return try data.withUnsafeBytes { try decode($0, source: url.path) }
    }

    /// Reads the array `name` of an `.npz`.
    /// - Throws: as ``read(from:)``, and ``NPYError/missingArray(path:name:available:)``.
    public static func read(_ name: String, from url: URL) throws -> NPYArray {
        let arrays = try read(from: url)
        guard let found = arrays.first(where: { $0.name == name }) else {
            throw NPYError.missingArray(path: url.path, name: name, available: arrays.map(\.name))
        }
        return found.array
    }

    /// Decodes the bytes of an `.npz` archive; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String = "the .npz data") throws -> [NamedArray] {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes the bytes of an `.npz` archive; `source` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> [NamedArray] {
        let entries: [ZipArchive.Entry]
        do {
            entries = try ZipArchive.entries(of: bytes)
        } catch let failure as ZipArchive.Failure {
            switch failure {
            case .notZip: throw NPYError.notZip(source: source)
            case .corrupt(let reason), .tooLarge(let reason): throw NPYError.corruptZip(source: source, reason: reason)
            }
        }
        var arrays: [NamedArray] = []
        for entry in entries {
            let array: NPYArray
            do {
                array = try NPY.decode(entry.bytes, source: "\(source) (entry \(entry.name))")
            } catch let error as NPYError {
                throw NPYError.invalidEntry(path: source, entry: entry.name, reason: error.description)
            }
            let name = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            arrays.append((name: name, array: array))
        }
        return arrays
    }
}
