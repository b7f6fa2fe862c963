import Foundation

/// Why an image could not be read or turned into an MNIST-style digit.
///
/// Every ``description`` is one sentence naming the file, the problem and what to do, for
/// example: "digit.png is interlaced (Adam7), which ScratchNet does not decode; save it
/// again without interlacing (most editors: uncheck "interlaced" / "progressive")."
public enum ImageFileError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, I/O error, a folder in its place).
    case unreadable(path: String, reason: String)
    /// A known image format that ScratchNet does not decode (JPEG, GIF, BMP, …).
    case unsupportedFormat(source: String, format: String)
    /// Neither PNG nor PGM nor another recognised format.
    case unknownFormat(source: String)
    /// Handed to the PNG decoder, but the data lack the 8-byte PNG signature.
    case notPNG(source: String)
    /// The file ends early; `detail` says where.
    case truncated(source: String, detail: String)
    /// The file is damaged or breaks its format's rules; `reason` says how.
    case corrupt(source: String, reason: String)
    /// A PNG stored with Adam7 interlacing.
    case interlaced(source: String)
    /// A valid file using a feature this decoder lacks; `feature` names it.
    case unsupportedFeature(source: String, feature: String)
    /// Width × height above ``ImageFile/maxPixels``.
    case tooLarge(source: String, width: Int, height: Int)
    /// An image with no digit in it: every pixel has the same shade.
    case noDigit(source: String)

    /// One sentence: the file, the problem, and what to do.
    public var description: String {
        let resave = "save or export the image again (as PNG or PGM)"
        switch self {
        case .fileNotFound(let path):
            return "\(path) does not exist; check the path of the image."
        case .unreadable(let path, let reason):
            return "\(path) could not be read (\(reason)); check that it is a readable image file."
        case .unsupportedFormat(let source, let format):
            return "\(source) is a \(format) image, which ScratchNet does not decode; convert it to PNG or PGM (for example `convert \(URL(fileURLWithPath: source).lastPathComponent) digit.png` with ImageMagick)."
        case .unknownFormat(let source):
            return "\(source) is not an image ScratchNet recognises (it reads PNG and Netpbm PGM/PPM); convert it to PNG or PGM."
        case .notPNG(let source):
            return "\(source) is not a PNG file (it does not start with the PNG signature 89 50 4E 47 0D 0A 1A 0A); \(resave)."
        case .truncated(let source, let detail):
            return "\(source) is truncated (\(detail)); the file was cut short, so copy or \(resave)."
        case .corrupt(let source, let reason):
            return "\(source) is damaged (\(reason)); \(resave)."
        case .interlaced(let source):
            return "\(source) is an interlaced (Adam7) PNG, which ScratchNet does not decode; save it again without interlacing (in most editors, untick \"interlaced\" or \"progressive\")."
        case .unsupportedFeature(let source, let feature):
            return "\(source) uses \(feature), which ScratchNet does not decode; \(resave) with default settings."
        case .tooLarge(let source, let width, let height):
            return "\(source) is \(grouped(width))×\(grouped(height)) pixels, more than the \(grouped(ImageFile.maxPixels)) pixels ScratchNet reads; shrink it (a digit needs only about 28×28)."
        case .noDigit(let source):
            return "\(source) contains no digit: every pixel is the same shade; draw a digit (dark on light or light on dark) and try again."
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
