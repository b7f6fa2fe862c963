import Foundation

/// A decoded IDX image file: `count` images of `rows × columns` uint8 pixels, row-major.
public struct IDXImages: Sendable, Equatable {
    /// Number of images.
    public var count: Int
    /// Pixel rows per image (28 for MNIST).
    public var rows: Int
    /// Pixel columns per image (28 for MNIST).
    public var columns: Int
    /// `count · rows · columns` pixels, 0 (background) … 255 (ink), image after image.
    public var pixels: [UInt8]

    /// Creates an image set; `pixels.count` must be `count · rows · columns`.
    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        precondition(pixels.count == count * rows * columns, "pixel count does not match \(count)×\(rows)×\(columns)")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }
}

/// A decoded IDX label file: one uint8 label per example.
public struct IDXLabels: Sendable, Equatable {
    /// The labels in file order.
    public var labels: [UInt8]
    /// Number of labels.
    public var count: Int { labels.count }

    /// Creates a label set.
    public init(labels: [UInt8]) { self.labels = labels }
}

/// Reads IDX files, the format MNIST ships in, plain or gzipped.
///
/// Layout (all header integers big-endian `UInt32`):
/// ```
/// images: magic 0x00000803, count, rows, cols, then count·rows·cols uint8 pixels
/// labels: magic 0x00000801, count,             then count uint8 labels
/// ```
/// Course reference: `_load_img` / `_load_label` in the book's `dataset/mnist.py`
/// (`np.frombuffer(f.read(), np.uint8, offset=16)` and `offset=8`).
public enum IDXReader {
    /// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
    public static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads an IDX image file (gzipped when it starts with the gzip signature).
    /// - Throws: ``MNISTDataError`` naming `path` when the file is missing, not gzip
    ///   although named `.gz`, corrupt, has the wrong magic or is truncated.
    public static func readImages(at path: String) throws -> IDXImages {
        try withContents(of: path) { try parseImages($0, path: path) }
    }

    /// Reads an IDX label file (gzipped when it starts with the gzip signature).
    /// - Throws: ``MNISTDataError`` as ``readImages(at:)``.
    public static func readLabels(at path: String) throws -> IDXLabels {
        try withContents(of: path) { try parseLabels($0, path: path) }
    }

    /// Decodes the bytes of an image file (already decompressed); `path` is for messages.
    public static func parseImages(_ bytes: UnsafeRawBufferPointer, path: String) throws -> IDXImages {
        let headerBytes = 16
        guard bytes.count >= headerBytes else {
            if bytes.count >= 4, bigEndianUInt32(bytes, at: 0) != imagesMagic {
                throw MNISTDataError.wrongMagic(path: path, found: bigEndianUInt32(bytes, at: 0), expected: imagesMagic)
            }
            throw MNISTDataError.truncatedHeader(path: path, headerBytes: headerBytes, fileBytes: bytes.count)
        }
        let magic = bigEndianUInt32(bytes, at: 0)
        guard magic == imagesMagic else {
            throw MNISTDataError.wrongMagic(path: path, found: magic, expected: imagesMagic)
        }
        let count = Int(bigEndianUInt32(bytes, at: 4))
        let rows = Int(bigEndianUInt32(bytes, at: 8))
        let columns = Int(bigEndianUInt32(bytes, at: 12))
        let available = bytes.count - headerBytes
        let (perImage, o1) = rows.multipliedReportingOverflow(by: columns)
        let (needed, o2) = count.multipliedReportingOverflow(by: perImage)
        guard !o1, !o2, needed <= available else {
            throw MNISTDataError.truncatedImages(path: path, count: count, rows: rows, columns: columns, pixelBytes: available)
        }
        let pixels = Array(UnsafeRawBufferPointer(rebasing: bytes[headerBytes ..< headerBytes + needed]))
        return IDXImages(count: count, rows: rows, columns: columns, pixels: pixels)
    }

    /// Decodes the bytes of a label file (already decompressed); `path` is for messages.
    public static func parseLabels(_ bytes: UnsafeRawBufferPointer, path: String) throws -> IDXLabels {
        let headerBytes = 8
        guard bytes.count >= headerBytes else {
            if bytes.count >= 4, bigEndianUInt32(bytes, at: 0) != labelsMagic {
                throw MNISTDataError.wrongMagic(path: path, found: bigEndianUInt32(bytes, at: 0), expected: labelsMagic)
            }
            throw MNISTDataError.truncatedHeader(path: path, headerBytes: headerBytes, fileBytes: bytes.count)
        }
        let magic = bigEndianUInt32(bytes, at: 0)
        guard magic == labelsMagic else {
            throw MNISTDataError.wrongMagic(path: path, found: magic, expected: labelsMagic)
        }
        let count = Int(bigEndianUInt32(bytes, at: 4))
        let available = bytes.count - headerBytes
        guard count <= available else {
            throw MNISTDataError.truncatedLabels(path: path, count: count, labelBytes: available)
        }
        return IDXLabels(labels: Array(UnsafeRawBufferPointer(rebasing: bytes[headerBytes ..< headerBytes + count])))
    }

    /// Reads a whole file, gunzips it when it starts with the gzip signature, and hands the
    /// decoded bytes to `body`. A file named `.gz` that is not gzip is an error.
    static func withContents<R>(of path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MNISTDataError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw MNISTDataError.unreadable(path: path, reason: "it is a folder")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MNISTDataError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { raw in
            if Gzip.hasSignature(raw) {
                let decompressed = try Gzip.decompress(raw, path: path)
                return try decompressed.withUnsafeBytes { try body($0) }
            }
            if path.hasSuffix(".gz") {
                throw MNISTDataError.notGzip(path: path)
            }
            return try body(raw)
        }
    }

    private static func bigEndianUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
