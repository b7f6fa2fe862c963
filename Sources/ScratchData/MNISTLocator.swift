import Foundation
import ScratchTensor

/// Finds MNIST the way the `scratchnet` CLI does, and says which copy it used.
///
/// The order:
/// 1. an explicit folder (`--data-dir DIR`);
/// 2. the folder in `$SCRATCHNET_DATA`;
/// 3. the user cache, `$XDG_CACHE_HOME/scratchnet/mnist` or `~/.cache/scratchnet/mnist`;
/// 4. a download from ``MNISTMirrors/default`` into the cache, verified by SHA-256;
/// 5. the bundled sample (first 5,000 training / 1,000 test images).
///
/// A folder named by 1 or 2 that lacks the files is an error, never a silent fallback. When
/// every mirror fails, loading falls back to the sample and ``LocatedMNIST/warnings`` holds
/// the failures and how to get the files by hand; the caller prints it.
///
/// Everything outside the process is injectable (environment, cache folder, mirrors,
/// checksums), so tests touch neither the real cache nor the internet.
/// ```swift
/// let located = try MNISTLocator(dataDirectory: options.dataDir).load(oneHot: true, as: Float.self)
/// located.warnings.forEach { print("warning: \($0)") }
/// print("data: \(located.source)")
/// ```
public struct MNISTLocator: Sendable {
    /// The environment variable naming a folder with the MNIST files.
    public static let environmentVariable = "SCRATCHNET_DATA"

    /// The explicit folder (`--data-dir`), if any.
    public var dataDirectory: String?
    /// The environment read for `SCRATCHNET_DATA`, `XDG_CACHE_HOME` and `HOME`.
    public var environment: [String: String]
    /// The cache folder downloads go to.
    public var cacheDirectory: String
    /// Whether a download may be tried when the cache lacks files.
    public var allowDownload: Bool
    /// The downloader (mirrors, checksums, timeout).
    public var downloader: MNISTDownloader
    /// Skip every step and use the bundled sample.
    public var useSampleOnly: Bool

    /// Creates a locator.
    /// - Parameters:
    ///   - dataDirectory: the CLI's `--data-dir`; `nil` or empty when not given.
    ///   - environment: the process environment (tests pass their own).
    ///   - cacheDirectory: overrides the cache folder derived from `environment`.
    ///   - allowDownload: whether to download into the cache when it lacks files.
    ///   - mirrors: download mirrors, in order.
    ///   - checksums: expected SHA-256 of each file.
    ///   - timeout: seconds without data before a download request gives up.
    ///   - useSampleOnly: use the bundled sample whatever else is available.
    public init(dataDirectory: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                cacheDirectory: String? = nil,
                allowDownload: Bool = true,
                mirrors: [URL] = MNISTMirrors.default,
                checksums: [MNISTFile: String] = MNISTChecksums.sha256,
                timeout: TimeInterval = 30,
                useSampleOnly: Bool = false) {
        self.dataDirectory = dataDirectory
        self.environment = environment
        self.cacheDirectory = cacheDirectory ?? Self.defaultCacheDirectory(environment: environment)
        self.allowDownload = allowDownload
        self.downloader = MNISTDownloader(mirrors: mirrors, checksums: checksums, timeout: timeout)
        self.useSampleOnly = useSampleOnly
    }

    /// `$XDG_CACHE_HOME/scratchnet/mnist` when `XDG_CACHE_HOME` is an absolute path, else
    /// `$HOME/.cache/scratchnet/mnist` (the home folder of the user when `HOME` is unset).
    public static func defaultCacheDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return (xdg as NSString).appendingPathComponent("scratchnet/mnist")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".cache/scratchnet/mnist")
    }

    /// Decides which files to read, downloading into the cache when that is the next step.
    /// - Throws: ``MNISTDataError/filesMissing(directory:origin:missing:)`` or
    ///   ``MNISTDataError/directoryNotFound(directory:origin:)`` when `--data-dir` or
    ///   `SCRATCHNET_DATA` names a folder without the files.
    public func locate() throws -> LocatedMNISTFiles {
        if useSampleOnly {
            return LocatedMNISTFiles(source: .bundledSample, origin: .bundledSample)
        }
        if let directory = nonEmpty(dataDirectory) {
            let path = try checkedFolder(directory, origin: "--data-dir")
            return LocatedMNISTFiles(source: .directory(path), origin: .dataDirectory(path))
        }
        if let directory = nonEmpty(environment[Self.environmentVariable]) {
            let path = try checkedFolder(directory, origin: Self.environmentVariable)
            return LocatedMNISTFiles(source: .directory(path), origin: .environment(path))
        }
        if MNISTSource.missingFiles(in: cacheDirectory).isEmpty {
            return LocatedMNISTFiles(source: .directory(cacheDirectory), origin: .cache(cacheDirectory))
        }
        guard allowDownload else {
            return LocatedMNISTFiles(source: .bundledSample, origin: .bundledSample)
        }
        do {
            let mirrors = try downloader.downloadMissing(into: cacheDirectory)
            return LocatedMNISTFiles(source: .directory(cacheDirectory),
                                     origin: .downloaded(mirrors: mirrors, cache: cacheDirectory))
        } catch {
            let sample = "Using the bundled sample (first \(grouped(MNISTSample.trainingCount)) training / \(grouped(MNISTSample.testCount)) test images of MNIST) instead."
            return LocatedMNISTFiles(source: .bundledSample, origin: .bundledSample,
                                     warnings: ["\(error) \(sample)"])
        }
    }

    /// Locates and loads MNIST (see ``MNIST/load(from:normalize:flatten:oneHot:as:)`` for the options).
    /// - Returns: the data set, what was used, and any warning for the caller to print.
    /// - Throws: ``MNISTDataError`` (a named folder without the files, a damaged file).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func load<T: TensorScalar>(normalize: Bool = true, flatten: Bool = true, oneHot: Bool = false,
                                      as _: T.Type = T.self) throws -> LocatedMNIST<T> {
        let located = try locate()
        let dataset = try MNIST.load(from: located.source, normalize: normalize, flatten: flatten,
                                     oneHot: oneHot, as: T.self)
        return LocatedMNIST(
            dataset: dataset,
            source: DataSource(origin: located.origin, trainingCount: dataset.train.count, testCount: dataset.test.count),
            warnings: located.warnings)
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func checkedFolder(_ directory: String, origin: String) throws -> String {
        let path = (directory as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MNISTDataError.directoryNotFound(directory: path, origin: origin)
        }
        let missing = MNISTSource.missingFiles(in: path)
        guard missing.isEmpty else {
            throw MNISTDataError.filesMissing(directory: path, origin: origin, missing: missing.map(\.fileName))
        }
        return path
    }
}

/// The outcome of ``MNISTLocator/locate()``: which files to read and why.
public struct LocatedMNISTFiles: Sendable, Equatable {
    /// The files to read.
    public var source: MNISTSource
    /// Where they came from.
    public var origin: DataSource.Origin
    /// Messages for the caller to print (a failed download and how to get the files by hand).
    public var warnings: [String]

    /// Creates a located-files record.
    public init(source: MNISTSource, origin: DataSource.Origin, warnings: [String] = []) {
        self.source = source
        self.origin = origin
        self.warnings = warnings
    }
}

/// MNIST as loaded by ``MNISTLocator/load(normalize:flatten:oneHot:as:)``.
public struct LocatedMNIST<T: TensorScalar>: Sendable {
    /// The training and test splits.
    public var dataset: MNISTDataset<T>
    /// Exactly what was used, e.g. "full MNIST (60,000 training / 10,000 test images) from the cache …".
    public var source: DataSource
    /// Messages for the caller to print, such as why the download failed and how to get the
    /// files by hand (empty when there is nothing to say).
    public var warnings: [String]

    /// Creates a loaded-data record.
    public init(dataset: MNISTDataset<T>, source: DataSource, warnings: [String]) {
        self.dataset = dataset
        self.source = source
        self.warnings = warnings
    }
}
