import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Public mirrors that serve the four MNIST files, tried in order.
///
/// The book's `dataset/mnist.py` downloads from Yann LeCun's page, which has refused
/// downloads since 2024; it stays last for completeness.
public enum MNISTMirrors {
    /// PyTorch's copy (torchvision's first mirror).
    public static let pytorch = mirror("https://ossci-datasets.s3.amazonaws.com/mnist/")
    /// TensorFlow's copy (`tf.keras.datasets.mnist` and TFDS).
    public static let tensorflow = mirror("https://storage.googleapis.com/cvdf-datasets/mnist/")
    /// The original page (refuses downloads since 2024).
    public static let lecun = mirror("http://yann.lecun.com/exdb/mnist/")
    /// The mirrors ScratchNet tries, in order.
    public static let `default`: [URL] = [pytorch, tensorflow, lecun]

    private static func mirror(_ literal: StaticString) -> URL {
        // The literals above are valid URLs; this cannot fail at run time.
        guard let url = URL(string: "\(literal)") else { preconditionFailure("invalid mirror URL \(literal)") }
        return url
    }
}

/// Why a download failed.
public enum MNISTDownloadError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// The server answered with an HTTP status other than 200.
    case httpStatus(url: URL, status: Int)
    /// No answer: the connection failed, was refused or timed out.
    case transport(url: URL, reason: String)
    /// The bytes received do not have the expected SHA-256; they were discarded.
    case checksumMismatch(file: MNISTFile, url: URL, expected: String, actual: String)
    /// No checksum is known for the file, so it is not downloaded.
    case noChecksum(file: MNISTFile)
    /// The cache folder could not be created or written.
    case cacheNotWritable(directory: String, reason: String)
    /// Every mirror failed; ``description`` says how to get the files by hand.
    case allMirrorsFailed(failures: [MirrorFailure], mirrors: [URL], cacheDirectory: String)

    /// One sentence: what failed and what to do (for ``allMirrorsFailed(failures:mirrors:cacheDirectory:)``,
    /// each mirror's failure and the steps to get the files by hand).
    public var description: String {
        switch self {
        case .httpStatus(let url, let status):
            let reason = HTTPURLResponse.localizedString(forStatusCode: status)
            return "\(url.absoluteString) answered HTTP \(status) (\(reason)) instead of the file."
        case .transport(let url, let reason):
            return "\(url.absoluteString) could not be fetched (\(reason))."
        case .checksumMismatch(let file, let url, let expected, let actual):
            return "\(file.fileName) downloaded from \(url.absoluteString) does not match its SHA-256 checksum (expected \(expected), got \(actual)), so it was discarded; the mirror serves a damaged or different file — try another mirror or get the file by hand."
        case .noChecksum(let file):
            return "No SHA-256 checksum is known for \(file.fileName), so ScratchNet will not download it unverified; get it by hand and point --data-dir or SCRATCHNET_DATA at its folder."
        case .cacheNotWritable(let directory, let reason):
            return "The cache folder \(directory) could not be written (\(reason)); make it writable, set XDG_CACHE_HOME to a writable folder, or download the MNIST files by hand and use --data-dir or SCRATCHNET_DATA."
        case .allMirrorsFailed(let failures, let mirrors, let cacheDirectory):
            let tried = failures.map { "\($0.mirror.absoluteString): \($0.error.shortDescription)" }
                .joined(separator: "; ")
            let mirror = (mirrors.first ?? MNISTMirrors.pytorch).absoluteString
            let example = (mirrors.first ?? MNISTMirrors.pytorch).appendingPathComponent(MNISTFile.trainImages.fileName).absoluteString
            return "Could not download MNIST from any mirror (\(tried)); to get the files by hand, download \(MNISTFile.allFileNames) from \(mirror) (for example \(example)) and put them in \(cacheDirectory), or put them in any folder and pass it with --data-dir DIR or set SCRATCHNET_DATA=DIR."
        }
    }

    /// The failure without advice, for the list in ``allMirrorsFailed(failures:mirrors:cacheDirectory:)``.
    var shortDescription: String {
        switch self {
        case .httpStatus(let url, let status):
            return "\(url.lastPathComponent) answered HTTP \(status) (\(HTTPURLResponse.localizedString(forStatusCode: status)))"
        case .transport(let url, let reason):
            return "\(url.lastPathComponent) could not be fetched (\(reason))"
        case .checksumMismatch(let file, _, let expected, let actual):
            return "\(file.fileName) failed its SHA-256 checksum (expected \(expected), got \(actual))"
        default:
            return description
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}

/// One mirror's failure during ``MNISTDownloader/downloadMissing(into:)``.
public struct MirrorFailure: Sendable, Equatable, CustomStringConvertible {
    /// The mirror that failed.
    public var mirror: URL
    /// The first error it gave.
    public var error: MNISTDownloadError

    /// Creates a failure record.
    public init(mirror: URL, error: MNISTDownloadError) {
        self.mirror = mirror
        self.error = error
    }

    /// "mirror: error".
    public var description: String { "\(mirror.absoluteString): \(error.shortDescription)" }
}

/// Downloads the MNIST files from public mirrors and verifies them with SHA-256.
///
/// Each file is written to a temporary file in the target folder and moved to its final name
/// (an atomic `rename`) only after its checksum matches, so the cache never holds a partial or
/// unverified file. Course reference: `_download` in the book's `dataset/mnist.py`, which
/// does the same without the verification.
public struct MNISTDownloader: Sendable {
    /// Mirrors to try, in order; each file name is appended to the mirror's URL.
    public var mirrors: [URL]
    /// Expected hex SHA-256 of each file.
    public var checksums: [MNISTFile: String]
    /// Seconds without data before a request gives up (the whole transfer gets 20 times as long).
    public var timeout: TimeInterval

    /// Creates a downloader; tests inject a local mirror and the checksums of small files.
    public init(mirrors: [URL] = MNISTMirrors.default, checksums: [MNISTFile: String] = MNISTChecksums.sha256,
                timeout: TimeInterval = 30) {
        self.mirrors = mirrors
        self.checksums = checksums
        self.timeout = timeout
    }

    /// Fetches every MNIST file `directory` lacks, trying the mirrors in order (a mirror that
    /// fails once is left for the next one), and returns the mirrors that supplied files.
    /// - Throws: ``MNISTDownloadError/allMirrorsFailed(failures:mirrors:cacheDirectory:)``
    ///   listing each mirror's failure, or ``MNISTDownloadError/cacheNotWritable(directory:reason:)``.
    @discardableResult
    public func downloadMissing(into directory: String) throws -> [URL] {
        var missing = MNISTSource.missingFiles(in: directory)
        guard !missing.isEmpty else { return [] }
        try createDirectory(directory)
        var used: [URL] = []
        var failures: [MirrorFailure] = []
        for mirror in mirrors where !missing.isEmpty {
            do {
                while let file = missing.first {
                    try download(file, from: mirror, into: directory)
                    missing.removeFirst()
                    if !used.contains(mirror) { used.append(mirror) }
                }
            } catch let error as MNISTDownloadError {
                if case .cacheNotWritable = error { throw error }
                failures.append(MirrorFailure(mirror: mirror, error: error))
            }
        }
        guard missing.isEmpty else {
            throw MNISTDownloadError.allMirrorsFailed(failures: failures, mirrors: mirrors, cacheDirectory: directory)
        }
        return used
    }

    /// Downloads one file from one mirror into `directory` and returns its path.
    /// - Throws: ``MNISTDownloadError``; on any failure nothing is left in `directory`.
    @discardableResult
    public func download(_ file: MNISTFile, from mirror: URL, into directory: String) throws -> String {
        guard let expected = checksums[file]?.lowercased() else { throw MNISTDownloadError.noChecksum(file: file) }
        let url = mirror.appendingPathComponent(file.fileName)
        let data = try fetch(url)
        try createDirectory(directory)

        let destination = (directory as NSString).appendingPathComponent(file.fileName)
        let temporary = (directory as NSString).appendingPathComponent(".\(file.fileName).\(UUID().uuidString).part")
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw MNISTDownloadError.cacheNotWritable(directory: directory, reason: error.localizedDescription)
        }
        let actual = Self.sha256Hex(of: data)
        guard actual == expected else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw MNISTDownloadError.checksumMismatch(file: file, url: url, expected: expected, actual: actual)
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw MNISTDownloadError.cacheNotWritable(directory: directory, reason: reason)
        }
        return destination
    }

    /// Lowercase hex SHA-256 of `data`.
    public static func sha256Hex(of data: Data) -> String {
        let hexDigits = Array("0123456789abcdef")
        var result = ""
        for byte in SHA256.hash(data: data) {
            result.append(hexDigits[Int(byte >> 4)])
            result.append(hexDigits[Int(byte & 0x0f)])
        }
        return result
    }

    private func createDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MNISTDownloadError.cacheNotWritable(directory: directory, reason: error.localizedDescription)
        }
    }

    /// GETs `url` and returns the body of a 200 answer.
    private func fetch(_ url: URL) throws -> Data {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 20
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let outcome = FetchOutcome()
        let task = session.dataTask(with: URLRequest(url: url)) { data, response, error in
            outcome.finish(data: data, response: response, error: error)
        }
        task.resume()
        // URLSession enforces the timeouts; this bound only guards against a lost callback.
        guard outcome.wait(seconds: timeout * 20 + 10) else {
            task.cancel()
            throw MNISTDownloadError.transport(url: url, reason: "no answer within \(Int(timeout * 20 + 10)) seconds")
        }
        let (data, response, error) = outcome.result
        if let error {
            throw MNISTDownloadError.transport(url: url, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else {
            throw MNISTDownloadError.transport(url: url, reason: "the answer was not HTTP")
        }
        guard http.statusCode == 200 else {
            throw MNISTDownloadError.httpStatus(url: url, status: http.statusCode)
        }
        return data ?? Data()
    }
}

/// The result of one data task, handed from URLSession's queue to the waiting caller.
private final class FetchOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var data: Data?
    private var response: URLResponse?
    private var error: Error?

    func finish(data: Data?, response: URLResponse?, error: Error?) {
        lock.lock()
        self.data = data
        self.response = response
        self.error = error
        lock.unlock()
        done.signal()
    }

    func wait(seconds: TimeInterval) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }

    var result: (Data?, URLResponse?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, response, error)
    }
}
