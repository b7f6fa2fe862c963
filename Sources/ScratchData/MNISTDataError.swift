import Foundation

/// Why MNIST data could not be read: each case names the file and what to do about it.
///
/// Every ``description`` is one sentence a learner can act on, for example:
/// "/data/train-images-idx3-ubyte.gz is truncated: the header promises 60,000 images of 28×28
/// but the file holds 1,234 bytes of pixels (47,040,000 needed); download it again, or if it
/// sits in ScratchNet's cache delete it so ScratchNet fetches a fresh copy."
public enum MNISTDataError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, I/O error, a folder in its place).
    case unreadable(path: String, reason: String)
    /// The file is named `.gz` but does not start with the gzip signature `1f 8b`.
    case notGzip(path: String)
    /// The file starts like gzip but its compressed data is damaged or cut short.
    case corruptGzip(path: String, reason: String)
    /// The IDX magic number is not the one this kind of file must have.
    case wrongMagic(path: String, found: UInt32, expected: UInt32)
    /// The file is shorter than its own IDX header.
    case truncatedHeader(path: String, headerBytes: Int, fileBytes: Int)
    /// An image file holds fewer pixel bytes than its header promises.
    case truncatedImages(path: String, count: Int, rows: Int, columns: Int, pixelBytes: Int)
    /// A label file holds fewer label bytes than its header promises.
    case truncatedLabels(path: String, count: Int, labelBytes: Int)
    /// The image and label files of one split disagree on the number of examples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label is not a digit class 0…9.
    case labelOutOfRange(path: String, index: Int, value: Int)
    /// A folder the user named (`--data-dir` or `$SCRATCHNET_DATA`) does not exist.
    case directoryNotFound(directory: String, origin: String)
    /// A folder the user named (`--data-dir` or `$SCRATCHNET_DATA`) lacks some MNIST files.
    case filesMissing(directory: String, origin: String, missing: [String])
    /// The sample bundled with ScratchData could not be found.
    case sampleMissing(searched: [String])

    private static let refetchAdvice =
        "download it again, or if it sits in ScratchNet's cache delete it so ScratchNet fetches a fresh copy"

    /// One sentence: the file, the problem, and what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path) does not exist; put the MNIST files (\(MNISTFile.allFileNames)) there, or point --data-dir or SCRATCHNET_DATA at the folder that holds them."
        case .unreadable(let path, let reason):
            return "\(path) could not be read (\(reason)); check that it is a readable file, or \(Self.refetchAdvice)."
        case .notGzip(let path):
            return "\(path) is not a gzip file (it does not start with the gzip signature 1f 8b); \(Self.refetchAdvice), or decompress it yourself and drop the .gz from its name."
        case .corruptGzip(let path, let reason):
            return "\(path) is a corrupt gzip file (\(reason)); \(Self.refetchAdvice)."
        case .wrongMagic(let path, let found, let expected):
            return "\(path) has the wrong IDX magic number \(hex(found)) where \(hex(expected)) (\(expected == IDXReader.imagesMagic ? "an image file" : "a label file")) was expected, so it is not the MNIST file its name says; \(Self.refetchAdvice)."
        case .truncatedHeader(let path, let headerBytes, let fileBytes):
            return "\(path) is truncated: an IDX file starts with a \(headerBytes)-byte header but the file holds only \(grouped(fileBytes)) bytes; \(Self.refetchAdvice)."
        case .truncatedImages(let path, let count, let rows, let columns, let pixelBytes):
            return "\(path) is truncated: the header promises \(grouped(count)) images of \(rows)×\(columns) but the file holds \(grouped(pixelBytes)) bytes of pixels (\(grouped(count &* rows &* columns)) needed); \(Self.refetchAdvice)."
        case .truncatedLabels(let path, let count, let labelBytes):
            return "\(path) is truncated: the header promises \(grouped(count)) labels but the file holds \(grouped(labelBytes)) bytes of labels; \(Self.refetchAdvice)."
        case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
            return "\(imagesPath) holds \(grouped(imageCount)) images but \(labelsPath) holds \(grouped(labelCount)) labels, so the image and label counts do not match; make sure both files come from the same MNIST download (replace the wrong one)."
        case .labelOutOfRange(let path, let index, let value):
            return "\(path) holds label \(value) at position \(grouped(index)), but MNIST labels must be digits 0…9; the file is damaged or is not an MNIST label file, so \(Self.refetchAdvice)."
        case .directoryNotFound(let directory, let origin):
            return "\(directory) (from \(origin)) is not an existing folder; create it and put the four MNIST files \(MNISTFile.allFileNames) there, or point \(origin) at the folder that holds them."
        case .filesMissing(let directory, let origin, let missing):
            let problem = missing.count >= MNISTFile.allCases.count
                ? "holds none of the four MNIST files \(MNISTFile.allFileNames)"
                : "lacks \(listed(missing)) of the four MNIST files \(MNISTFile.allFileNames)"
            return "\(directory) (from \(origin)) \(problem); put them there (gzipped, or decompressed without the .gz) or point \(origin) at the folder that holds them."
        case .sampleMissing(let searched):
            return "The MNIST sample bundled with ScratchNet was not found (looked in \(searched.joined(separator: ", "))); reinstall ScratchNet with its ScratchNet_ScratchData resource bundle beside the executable, or use full MNIST with --data-dir or SCRATCHNET_DATA."
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}

/// "a", "a and b", "a, b and c".
func listed(_ items: [String]) -> String {
    guard items.count > 1, let last = items.last else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " and " + last
}

/// `0x00000803` style.
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// Formats an integer with thousands separators, independent of the locale: 60000 → "60,000".
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
        result.append(ch)
    }
    return value < 0 ? "-" + result : result
}
