import Foundation

/// Reads an image file of any format ScratchNet decodes, recognised by its first bytes
/// (not its name): PNG (``PNGDecoder``) or Netpbm PGM/PPM (``PGM``).
///
/// Formats it recognises but does not decode (JPEG, GIF, BMP, TIFF, WebP) give an error that
/// names the format and says to convert the image.
public enum ImageFile {
    /// The most pixels (width × height) an image may have: 32 megapixels, room for a
    /// 6000×4000 camera photo while a damaged header cannot ask for gigabytes.
    public static let maxPixels = 1 << 25

    /// The formats ``ImageFile`` tells apart by their first bytes.
    public enum Format: String, Sendable, CaseIterable {
        /// Portable Network Graphics (decoded).
        case png = "PNG"
        /// Netpbm gray or pixel map, P2/P5/P3/P6 (decoded).
        case netpbm = "PGM/PPM"
        /// JPEG/JFIF (recognised, not decoded).
        case jpeg = "JPEG"
        /// GIF (recognised, not decoded).
        case gif = "GIF"
        /// Windows bitmap (recognised, not decoded).
        case bmp = "BMP"
        /// TIFF (recognised, not decoded).
        case tiff = "TIFF"
        /// WebP (recognised, not decoded).
        case webp = "WebP"
        /// Netpbm bitmap, P1/P4 (recognised, not decoded).
        case pbm = "PBM"

        /// The format whose signature `bytes` start with, if any.
        public init?(sniffing bytes: UnsafeRawBufferPointer) {
            func starts(with prefix: [UInt8]) -> Bool {
                bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0 == $1 }
            }
            if starts(with: [0x89, 0x50, 0x4E, 0x47]) { self = .png }
            else if starts(with: Array("P2".utf8)) || starts(with: Array("P5".utf8))
                        || starts(with: Array("P3".utf8)) || starts(with: Array("P6".utf8)) { self = .netpbm }
            else if starts(with: Array("P1".utf8)) || starts(with: Array("P4".utf8)) { self = .pbm }
            else if starts(with: [0xFF, 0xD8, 0xFF]) { self = .jpeg }
            else if starts(with: Array("GIF8".utf8)) { self = .gif }
            else if starts(with: Array("BM".utf8)) { self = .bmp }
            else if starts(with: [0x49, 0x49, 0x2A, 0x00]) || starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { self = .tiff }
            else if starts(with: Array("RIFF".utf8)), bytes.count >= 12,
                    Array(bytes[8 ..< 12]) == Array("WEBP".utf8) { self = .webp }
            else { return nil }
        }
    }

    /// Reads and decodes the image at `path`.
    /// - Throws: ``ImageFileError`` naming the file.
    public static func load(path: String) throws -> RasterImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageFileError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else { throw ImageFileError.unreadable(path: path, reason: "it is a folder") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        return try data.withUnsafeBytes { try decode($0, source: path) }
    }

    /// Decodes an image file's bytes; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String = "the image") throws -> RasterImage {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes an image file's bytes; `source` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> RasterImage {
        switch Format(sniffing: bytes) {
        case .png?:
            return try PNGDecoder.decode(bytes, source: source)
        case .netpbm?, .pbm?:
            return try PGM.decode(bytes, source: source)
        case let other?:
            throw ImageFileError.unsupportedFormat(source: source, format: other.rawValue)
        case nil:
            throw ImageFileError.unknownFormat(source: source)
        }
    }
}
