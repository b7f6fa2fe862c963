import Foundation

/// Exactly which MNIST data a run used, for the CLI to print and reports to record.
///
/// ```
/// full MNIST (60,000 training / 10,000 test images) from --data-dir /data/mnist
/// the bundled sample (first 5,000 training / 1,000 test images of MNIST) — for full MNIST use --data-dir or SCRATCHNET_DATA
/// ```
public struct DataSource: Sendable, Equatable, CustomStringConvertible {
    /// Where the files came from.
    public enum Origin: Sendable, Equatable {
        /// A folder given explicitly (the CLI's `--data-dir DIR`).
        case dataDirectory(String)
        /// The folder named by the `SCRATCHNET_DATA` environment variable.
        case environment(String)
        /// The user cache (`$XDG_CACHE_HOME/scratchnet/mnist` or `~/.cache/scratchnet/mnist`).
        case cache(String)
        /// Downloaded just now from these mirrors into the cache folder.
        case downloaded(mirrors: [URL], cache: String)
        /// The sample bundled with ScratchData.
        case bundledSample
    }

    /// Where the files came from.
    public var origin: Origin
    /// Training images loaded.
    public var trainingCount: Int
    /// Test images loaded.
    public var testCount: Int

    /// Creates a description of a loaded data set.
    public init(origin: Origin, trainingCount: Int, testCount: Int) {
        self.origin = origin
        self.trainingCount = trainingCount
        self.testCount = testCount
    }

    /// Whether this is the bundled sample rather than full MNIST.
    public var isBundledSample: Bool { origin == .bundledSample }

    /// The folder the files were read from, or `nil` for the bundled sample.
    public var directory: String? {
        switch origin {
        case .dataDirectory(let path), .environment(let path), .cache(let path): return path
        case .downloaded(_, let cache): return cache
        case .bundledSample: return nil
        }
    }

    /// One line saying what was used, with the image counts.
    public var description: String {
        let counts = "\(grouped(trainingCount)) training / \(grouped(testCount)) test images"
        let what = trainingCount == 60000 && testCount == 10000 ? "full MNIST (\(counts))" : "MNIST data (\(counts))"
        switch origin {
        case .dataDirectory(let path):
            return "\(what) from --data-dir \(path)"
        case .environment(let path):
            return "\(what) from $\(MNISTLocator.environmentVariable) (\(path))"
        case .cache(let path):
            return "\(what) from the cache \(path)"
        case .downloaded(let mirrors, let cache):
            let from = mirrors.map(\.absoluteString).joined(separator: " and ")
            return "\(what) downloaded from \(from) into \(cache)"
        case .bundledSample:
            return "the bundled sample (first \(counts) of MNIST) — for full MNIST use --data-dir or \(MNISTLocator.environmentVariable)"
        }
    }
}
