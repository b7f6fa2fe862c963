import Foundation
import ScratchData
import XCTest

/// The search order: --data-dir → $SCRATCHNET_DATA → cache → download → bundled sample.
/// Every test injects its environment and cache folder and allows no download (the download
/// steps are in MNISTDownloaderTests), so none touches the real cache or the network.
final class MNISTLocatorTests: XCTestCase {
    private var root = ""
    private var explicit = "", fromEnvironment = "", cache = ""

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory(self)
        // Three complete data sets of different sizes, to tell which one was loaded.
        explicit = root + "/explicit"
        fromEnvironment = root + "/env"
        cache = root + "/cache/scratchnet/mnist"
        try Fixtures.writeMNIST(into: explicit, trainCount: 3, testCount: 2, seed: 1)
        try Fixtures.writeMNIST(into: fromEnvironment, trainCount: 4, testCount: 2, seed: 2)
        try Fixtures.writeMNIST(into: cache, trainCount: 5, testCount: 2, seed: 3)
    }

    private func locator(dataDirectory: String? = nil, environment: [String: String] = [:],
                         useSampleOnly: Bool = false) -> MNISTLocator {
        MNISTLocator(dataDirectory: dataDirectory, environment: ["HOME": root + "/home"].merging(environment) { $1 },
                     cacheDirectory: cache, allowDownload: false, mirrors: [], useSampleOnly: useSampleOnly)
    }

    func testExplicitDirectoryBeatsEnvironmentAndCache() throws {
        let located = try locator(dataDirectory: explicit, environment: ["SCRATCHNET_DATA": fromEnvironment])
            .load(as: Float.self)
        XCTAssertEqual(located.source.origin, .dataDirectory(explicit))
        XCTAssertEqual(located.dataset.train.count, 3)
        XCTAssertEqual(located.source.description, "MNIST data (3 training / 2 test images) from --data-dir \(explicit)")
        XCTAssertEqual(located.warnings, [])
    }

    func testEnvironmentBeatsCache() throws {
        let located = try locator(environment: ["SCRATCHNET_DATA": fromEnvironment]).load(as: Float.self)
        XCTAssertEqual(located.source.origin, .environment(fromEnvironment))
        XCTAssertEqual(located.dataset.train.count, 4)
        XCTAssertTrue(located.source.description.hasSuffix("from $SCRATCHNET_DATA (\(fromEnvironment))"), located.source.description)
    }

    func testCacheIsUsedWhenNothingIsNamed() throws {
        let located = try locator(environment: ["SCRATCHNET_DATA": ""]).load(as: Double.self)
        XCTAssertEqual(located.source.origin, .cache(cache))
        XCTAssertEqual(located.dataset.train.count, 5)
        XCTAssertEqual(located.source.directory, cache)
        XCTAssertFalse(located.source.isBundledSample)
    }

    func testEmptyCacheWithoutDownloadFallsBackToTheSample() throws {
        try FileManager.default.removeItem(atPath: cache + "/" + MNISTFile.testLabels.fileName)
        let located = try locator().load(oneHot: true, as: Float.self)
        XCTAssertEqual(located.source.origin, .bundledSample)
        XCTAssertEqual(located.dataset.train.count, 5000)
        XCTAssertEqual(located.dataset.test.targets.shape, [1000, 10])
        XCTAssertEqual(located.source.description,
                       "the bundled sample (first 5,000 training / 1,000 test images of MNIST) — for full MNIST use --data-dir or SCRATCHNET_DATA")
    }

    func testSampleOnlyIgnoresEverythingElse() throws {
        let located = try locator(dataDirectory: explicit, environment: ["SCRATCHNET_DATA": fromEnvironment],
                                  useSampleOnly: true).locate()
        XCTAssertEqual(located.source, .bundledSample)
        XCTAssertEqual(located.origin, .bundledSample)
    }

    func testMissingExplicitDirectoryIsAnError() throws {
        let missing = root + "/nowhere"
        let error = expectDataError { try locator(dataDirectory: missing, environment: ["SCRATCHNET_DATA": fromEnvironment]).locate() }
        XCTAssertEqual(error, .directoryNotFound(directory: missing, origin: "--data-dir"))
        assertMessage(error?.description ?? "", contains: [missing, "--data-dir", "not an existing folder",
                                                          "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
    }

    func testExplicitDirectoryWithoutTheFilesIsAnErrorNotAFallback() throws {
        let partial = root + "/partial"
        try Fixtures.writeMNIST(into: partial, trainCount: 2, testCount: 2)
        try FileManager.default.removeItem(atPath: partial + "/t10k-images-idx3-ubyte.gz")
        try FileManager.default.removeItem(atPath: partial + "/t10k-labels-idx1-ubyte.gz")
        let error = expectDataError { try locator(dataDirectory: partial).locate() }
        XCTAssertEqual(error, .filesMissing(directory: partial, origin: "--data-dir",
                                            missing: ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]))
        assertMessage(error?.description ?? "", contains: [
            partial, "(from --data-dir) lacks t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz of the four MNIST files",
            "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
        ])
    }

    func testEnvironmentDirectoryWithoutTheFilesIsAnError() throws {
        let empty = root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let error = expectDataError { try locator(environment: ["SCRATCHNET_DATA": empty]).locate() }
        XCTAssertEqual(error, .filesMissing(directory: empty, origin: "SCRATCHNET_DATA",
                                            missing: MNISTFile.allCases.map(\.fileName)))
        assertMessage(error?.description ?? "", contains: [empty, "(from SCRATCHNET_DATA) holds none of the four MNIST files",
                                                          "point SCRATCHNET_DATA at the folder"])
    }

    func testDecompressedFilesAreAcceptedToo() throws {
        let plain = root + "/plain"
        try Fixtures.writeMNIST(into: plain, trainCount: 2, testCount: 3, compressed: false)
        let located = try locator(dataDirectory: plain).load(as: Float.self)
        XCTAssertEqual(located.dataset.test.count, 3)
        XCTAssertEqual(try MNISTSource.directory(plain).path(of: .trainImages), plain + "/train-images-idx3-ubyte")
    }

    func testDefaultCacheDirectory() {
        XCTAssertEqual(MNISTLocator.defaultCacheDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]),
                       "/x/cache/scratchnet/mnist")
        XCTAssertEqual(MNISTLocator.defaultCacheDirectory(environment: ["HOME": "/home/u"]),
                       "/home/u/.cache/scratchnet/mnist")
        XCTAssertEqual(MNISTLocator.defaultCacheDirectory(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]),
                       "/home/u/.cache/scratchnet/mnist", "a relative XDG_CACHE_HOME is ignored, as the spec says")
        let fromEnvironment = MNISTLocator(environment: ["HOME": "/home/u"], allowDownload: false)
        XCTAssertEqual(fromEnvironment.cacheDirectory, "/home/u/.cache/scratchnet/mnist")
    }

    func testDataSourceDescriptions() throws {
        let mirror = try XCTUnwrap(URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/"))
        let full = { (origin: DataSource.Origin) in DataSource(origin: origin, trainingCount: 60000, testCount: 10000).description }
        XCTAssertEqual(full(.dataDirectory("/x")), "full MNIST (60,000 training / 10,000 test images) from --data-dir /x")
        XCTAssertEqual(full(.environment("/y")), "full MNIST (60,000 training / 10,000 test images) from $SCRATCHNET_DATA (/y)")
        XCTAssertEqual(full(.cache("/c")), "full MNIST (60,000 training / 10,000 test images) from the cache /c")
        XCTAssertEqual(full(.downloaded(mirrors: [mirror], cache: "/c")),
                       "full MNIST (60,000 training / 10,000 test images) downloaded from https://ossci-datasets.s3.amazonaws.com/mnist/ into /c")
    }
}
