import Foundation
import ScratchData
import XCTest

/// Downloads from a local HTTP server on 127.0.0.1 that each test starts on an ephemeral port.
/// The served files are small MNIST-format files whose checksums the tests inject.
final class MNISTDownloaderTests: XCTestCase {
    private var server: LocalHTTPServer?
    private var files: [MNISTFile: [UInt8]] = [:]
    private var checksums: [MNISTFile: String] = [:]
    private var root = ""
    private var cache = ""

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory(self)
        cache = root + "/cache/scratchnet/mnist"
        files = try Fixtures.writeMNIST(into: root + "/source", trainCount: 6, testCount: 4, seed: 5)
        checksums = files.mapValues { MNISTDownloader.sha256Hex(of: Data($0)) }

        var routes: [String: LocalHTTPServer.Response] = [:]
        for (file, bytes) in files {
            routes["/good/\(file.fileName)"] = .init(status: 200, body: bytes)
            var damaged = bytes
            damaged[damaged.count / 2] ^= 0xff
            routes["/damaged/\(file.fileName)"] = .init(status: 200, body: damaged)
            routes["/broken/\(file.fileName)"] = .init(status: 500, body: Array("oops".utf8))
        }
        // A mirror that has only the training files.
        routes["/half/\(MNISTFile.trainImages.fileName)"] = .init(status: 200, body: files[.trainImages] ?? [])
        routes["/half/\(MNISTFile.trainLabels.fileName)"] = .init(status: 200, body: files[.trainLabels] ?? [])
        server = try LocalHTTPServer(routes: routes)
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func mirror(_ name: String) throws -> URL {
        try XCTUnwrap(server?.baseURL.appendingPathComponent(name + "/"))
    }

    private func locator(mirrors: [URL], cacheDirectory: String? = nil) -> MNISTLocator {
        MNISTLocator(environment: ["HOME": root + "/home"], cacheDirectory: cacheDirectory ?? cache,
                     allowDownload: true, mirrors: mirrors, checksums: checksums, timeout: 10)
    }

    private func cacheContents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).sorted()
    }

    func testDownloadsVerifiedFilesIntoTheCache() throws {
        let good = try mirror("good")
        let located = try locator(mirrors: [good]).load(as: Float.self)
        XCTAssertEqual(located.source.origin, .downloaded(mirrors: [good], cache: cache))
        XCTAssertEqual(located.dataset.train.count, 6)
        XCTAssertEqual(located.dataset.test.count, 4)
        XCTAssertEqual(located.warnings, [])
        XCTAssertEqual(located.source.description,
                       "MNIST data (6 training / 4 test images) downloaded from \(good.absoluteString) into \(cache)")
        // Exactly the four verified files, no temporary leftovers.
        XCTAssertEqual(cacheContents(), MNISTFile.allCases.map(\.fileName).sorted())
        for (file, bytes) in files {
            XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: cache + "/" + file.fileName))), bytes)
        }
        XCTAssertEqual(server?.requestedPaths.count, 4)

        // Next time the cache answers and nothing is downloaded.
        let again = try locator(mirrors: [good]).load(as: Float.self)
        XCTAssertEqual(again.source.origin, .cache(cache))
        XCTAssertEqual(server?.requestedPaths.count, 4)
    }

    func testChecksumMismatchNamesTheFileAndLeavesNothingInTheCache() throws {
        let damaged = try mirror("damaged")
        let downloader = MNISTDownloader(mirrors: [damaged], checksums: checksums, timeout: 10)
        do {
            try downloader.download(.trainLabels, from: damaged, into: cache)
            XCTFail("a damaged file was accepted")
        } catch let error as MNISTDownloadError {
            guard case .checksumMismatch(let file, let url, let expected, let actual) = error else {
                return XCTFail("got \(error)")
            }
            XCTAssertEqual(file, .trainLabels)
            XCTAssertEqual(url, damaged.appendingPathComponent(MNISTFile.trainLabels.fileName))
            XCTAssertEqual(expected, checksums[.trainLabels])
            XCTAssertNotEqual(actual, expected)
            assertMessage(error.description, contains: ["train-labels-idx1-ubyte.gz", "does not match its SHA-256 checksum",
                                                        expected, actual, "discarded"])
        }
        XCTAssertEqual(cacheContents(), [], "neither the file nor a temporary file may stay")
    }

    func testFallsBackToTheNextMirrorAfterA404() throws {
        let missing = try mirror("missing"), good = try mirror("good")
        let located = try locator(mirrors: [missing, good]).load(as: Float.self)
        XCTAssertEqual(located.source.origin, .downloaded(mirrors: [good], cache: cache))
        XCTAssertEqual(located.dataset.train.count, 6)
        XCTAssertEqual(server?.requestedPaths.first, "/missing/train-images-idx3-ubyte.gz")
        XCTAssertEqual(cacheContents(), MNISTFile.allCases.map(\.fileName).sorted())
    }

    func testKeepsFilesFromAMirrorThatFailsHalfway() throws {
        let half = try mirror("half"), good = try mirror("good")
        let used = try MNISTDownloader(mirrors: [half, good], checksums: checksums, timeout: 10)
            .downloadMissing(into: cache)
        XCTAssertEqual(used, [half, good])
        XCTAssertEqual(server?.requestedPaths, [
            "/half/train-images-idx3-ubyte.gz", "/half/train-labels-idx1-ubyte.gz", "/half/t10k-images-idx3-ubyte.gz",
            "/good/t10k-images-idx3-ubyte.gz", "/good/t10k-labels-idx1-ubyte.gz",
        ])
        XCTAssertEqual(try MNIST.loadRaw(from: .directory(cache)).test.count, 4)
    }

    func testAllMirrorsFailingFallsBackToTheSampleWithHowToGetTheFiles() throws {
        let missing = try mirror("missing"), broken = try mirror("broken")
        let refused = try XCTUnwrap(URL(string: "http://127.0.0.1:\(try LocalHTTPServer.closedPort())/mnist/"))
        let mirrors = [missing, broken, refused]

        let located = try locator(mirrors: mirrors).load(oneHot: true, as: Float.self)
        XCTAssertEqual(located.source.origin, .bundledSample)
        XCTAssertEqual(located.dataset.train.count, 5000)
        XCTAssertEqual(located.warnings.count, 1)
        assertMessage(located.warnings.first ?? "", contains: [
            "Could not download MNIST from any mirror",
            missing.absoluteString, "HTTP 404",
            broken.absoluteString, "HTTP 500",
            refused.absoluteString, "could not be fetched",
            "to get the files by hand",
            "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
            missing.appendingPathComponent("train-images-idx3-ubyte.gz").absoluteString,
            "put them in \(cache)", "--data-dir DIR", "SCRATCHNET_DATA=DIR",
            "Using the bundled sample",
        ])
        XCTAssertEqual(cacheContents(), [])

        // The downloader itself reports one failure per mirror.
        do {
            try MNISTDownloader(mirrors: mirrors, checksums: checksums, timeout: 10).downloadMissing(into: cache)
            XCTFail("expected every mirror to fail")
        } catch let MNISTDownloadError.allMirrorsFailed(failures, tried, directory) {
            XCTAssertEqual(failures.map(\.mirror), mirrors)
            XCTAssertEqual(failures.first?.error, .httpStatus(url: missing.appendingPathComponent("train-images-idx3-ubyte.gz"), status: 404))
            XCTAssertEqual(tried, mirrors)
            XCTAssertEqual(directory, cache)
        }
    }

    func testAnUnwritableCacheFallsBackToTheSample() throws {
        let blocker = root + "/not-a-folder"
        try Fixtures.write([1, 2, 3], to: blocker)
        let located = try locator(mirrors: [try mirror("good")], cacheDirectory: blocker + "/mnist").load(as: Float.self)
        XCTAssertEqual(located.source.origin, .bundledSample)
        assertMessage(located.warnings.first ?? "", contains: [blocker + "/mnist", "could not be written", "Using the bundled sample"])
    }

    func testTheBuiltInChecksumsMatchTheRealFiles() throws {
        let directory = try realMNISTDirectory()
        for file in MNISTFile.allCases {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file.fileName))
            XCTAssertEqual(MNISTDownloader.sha256Hex(of: data), MNISTChecksums.sha256[file], file.fileName)
        }
        XCTAssertEqual(MNISTMirrors.default.map(\.absoluteString), [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ])
    }
}
