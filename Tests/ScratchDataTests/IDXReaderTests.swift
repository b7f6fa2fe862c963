import Foundation
import ScratchData
import TestSupport
import XCTest

final class IDXReaderTests: XCTestCase {
    // MARK: The real files

    func testReadsTheRealMNISTFiles() throws {
        let directory = try realMNISTDirectory()
        let train = try IDXReader.readImages(at: directory + "/train-images-idx3-ubyte.gz")
        XCTAssertEqual(train.count, 60000)
        XCTAssertEqual(train.rows, 28)
        XCTAssertEqual(train.columns, 28)
        XCTAssertEqual(train.pixels.count, 60000 * 784)
        let test = try IDXReader.readImages(at: directory + "/t10k-images-idx3-ubyte.gz")
        XCTAssertEqual(test.count, 10000)
        XCTAssertEqual([test.rows, test.columns], [28, 28])

        let trainLabels = try IDXReader.readLabels(at: directory + "/train-labels-idx1-ubyte.gz")
        XCTAssertEqual(trainLabels.count, 60000)
        XCTAssertEqual(Array(trainLabels.labels.prefix(5)), [5, 0, 4, 1, 9])
        let testLabels = try IDXReader.readLabels(at: directory + "/t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(testLabels.count, 10000)
        XCTAssertEqual(Array(testLabels.labels.prefix(5)), [7, 2, 1, 0, 4])
        // Ink reaches 255 within the first images, and the border of the first image is blank.
        XCTAssertEqual(train.pixels[0 ..< 784 * 100].max(), 255)
        XCTAssertEqual(Array(train.pixels.prefix(28)), Array(repeating: 0, count: 28))
    }

    // MARK: Plain and gzipped files the test writes

    func testReadsPlainAndGzippedIDX() throws {
        let directory = try makeTemporaryDirectory(self)
        let images = Fixtures.images(count: 3, rows: 2, columns: 4)
        let labels = Fixtures.labels([3, 1, 4])
        try Fixtures.write(images, to: directory + "/plain-images")
        try Fixtures.write(Fixtures.gzip(images), to: directory + "/images.gz")
        try Fixtures.write(Fixtures.gzip(labels), to: directory + "/labels.gz")

        let plain = try IDXReader.readImages(at: directory + "/plain-images")
        XCTAssertEqual([plain.count, plain.rows, plain.columns], [3, 2, 4])
        XCTAssertEqual(plain.pixels, Array(images.dropFirst(16)))
        XCTAssertEqual(try IDXReader.readImages(at: directory + "/images.gz"), plain)
        XCTAssertEqual(try IDXReader.readLabels(at: directory + "/labels.gz").labels, [3, 1, 4])
    }

    func testReadsAGzipFileOfSeveralMembers() throws {
        let directory = try makeTemporaryDirectory(self)
        let labels = Fixtures.labels(Array(0 ..< 10))
        // `cat a.gz b.gz` is a valid gzip file holding both parts.
        try Fixtures.write(Fixtures.gzip(Array(labels.prefix(5))) + Fixtures.gzip(Array(labels.dropFirst(5))),
                           to: directory + "/labels.gz")
        XCTAssertEqual(try IDXReader.readLabels(at: directory + "/labels.gz").labels, Array(0 ..< 10))
    }

    // MARK: Errors, each with a one-sentence message naming the file

    func testMissingFile() throws {
        let path = try makeTemporaryDirectory(self) + "/train-images-idx3-ubyte.gz"
        let error = expectDataError { try IDXReader.readImages(at: path) }
        XCTAssertEqual(error, .fileNotFound(path: path))
        assertMessage(error?.description ?? "", contains: [path, "does not exist", "--data-dir", "SCRATCHNET_DATA"])
    }

    func testWrongMagic() throws {
        let path = try makeTemporaryDirectory(self) + "/train-images-idx3-ubyte.gz"
        try Fixtures.write(Fixtures.gzip(Fixtures.labels([1, 2, 3])), to: path)  // a label file in its place
        let error = expectDataError { try IDXReader.readImages(at: path) }
        XCTAssertEqual(error, .wrongMagic(path: path, found: 0x801, expected: 0x803))
        assertMessage(error?.description ?? "", contains: [path, "wrong IDX magic number", "0x00000801", "0x00000803", "download it again"])

        let labelsPath = path.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        try Fixtures.write(Fixtures.gzip(Fixtures.images(count: 1)), to: labelsPath)
        XCTAssertEqual(expectDataError { try IDXReader.readLabels(at: labelsPath) },
                       .wrongMagic(path: labelsPath, found: 0x803, expected: 0x801))
    }

    func testTruncatedImages() throws {
        let path = try makeTemporaryDirectory(self) + "/train-images-idx3-ubyte.gz"
        // The header promises 60,000 images but only 1,234 pixel bytes follow.
        let header = Fixtures.bigEndian([IDXReader.imagesMagic, 60000, 28, 28])
        try Fixtures.write(Fixtures.gzip(header + [UInt8](repeating: 7, count: 1234)), to: path)
        let error = expectDataError { try IDXReader.readImages(at: path) }
        XCTAssertEqual(error, .truncatedImages(path: path, count: 60000, rows: 28, columns: 28, pixelBytes: 1234))
        assertMessage(error?.description ?? "", contains: [
            path, "is truncated", "promises 60,000 images of 28×28", "1,234 bytes of pixels", "47,040,000 needed",
            "download it again", "delete it so ScratchNet fetches a fresh copy",
        ])
    }

    func testTruncatedLabelsAndHeader() throws {
        let directory = try makeTemporaryDirectory(self)
        let labels = directory + "/t10k-labels-idx1-ubyte"
        try Fixtures.write(Fixtures.bigEndian([IDXReader.labelsMagic, 10000]) + [1, 2, 3], to: labels)
        let error = expectDataError { try IDXReader.readLabels(at: labels) }
        XCTAssertEqual(error, .truncatedLabels(path: labels, count: 10000, labelBytes: 3))
        assertMessage(error?.description ?? "", contains: [labels, "truncated", "promises 10,000 labels", "3 bytes"])

        let short = directory + "/t10k-images-idx3-ubyte"
        try Fixtures.write(Fixtures.bigEndian([IDXReader.imagesMagic, 10000]), to: short)
        let headerError = expectDataError { try IDXReader.readImages(at: short) }
        XCTAssertEqual(headerError, .truncatedHeader(path: short, headerBytes: 16, fileBytes: 8))
        assertMessage(headerError?.description ?? "", contains: [short, "truncated", "16-byte header", "only 8 bytes"])
    }

    func testNotGzip() throws {
        let path = try makeTemporaryDirectory(self) + "/train-labels-idx1-ubyte.gz"
        try Fixtures.write(Array("<html>404 Not Found</html>".utf8), to: path)
        let error = expectDataError { try IDXReader.readLabels(at: path) }
        XCTAssertEqual(error, .notGzip(path: path))
        assertMessage(error?.description ?? "", contains: [path, "not a gzip file", "download it again"])
    }

    func testCorruptGzip() throws {
        let path = try makeTemporaryDirectory(self) + "/train-labels-idx1-ubyte.gz"
        // A gzip header, then bytes that are not deflate data (block type 3 is invalid).
        try Fixtures.write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0], to: path)
        let error = expectDataError { try IDXReader.readLabels(at: path) }
        guard case .corruptGzip(let errorPath, _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(errorPath, path)
        assertMessage(error?.description ?? "", contains: [path, "corrupt gzip file", "download it again"])
    }

    func testGzipCutShort() throws {
        let directory = try makeTemporaryDirectory(self)
        let sample = try MNISTSource.bundledSample.path(of: .trainImages)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sample))
        let path = directory + "/train-images-idx3-ubyte.gz"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let error = expectDataError { try IDXReader.readImages(at: path) }
        guard case .corruptGzip(_, let reason)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(reason.contains("ends early"), reason)
        assertMessage(error?.description ?? "", contains: [path, "corrupt gzip file", "ends early"])
    }

    func testCountMismatchBetweenImagesAndLabels() throws {
        let directory = try makeTemporaryDirectory(self)
        try Fixtures.writeMNIST(into: directory, trainCount: 3, testCount: 2)
        let labels = directory + "/" + MNISTFile.trainLabels.fileName
        try Fixtures.write(Fixtures.gzip(Fixtures.labels([1, 2])), to: labels)
        let error = expectDataError { try MNIST.loadRaw(from: .directory(directory)) }
        let images = directory + "/" + MNISTFile.trainImages.fileName
        XCTAssertEqual(error, .countMismatch(imagesPath: images, imageCount: 3, labelsPath: labels, labelCount: 2))
        assertMessage(error?.description ?? "", contains: [images, labels, "3 images", "2 labels", "do not match"])
    }

    func testLabelAboveNine() throws {
        let directory = try makeTemporaryDirectory(self)
        try Fixtures.writeMNIST(into: directory, trainCount: 3, testCount: 4)
        let labels = directory + "/" + MNISTFile.testLabels.fileName
        try Fixtures.write(Fixtures.gzip(Fixtures.labels([1, 2, 12, 3])), to: labels)
        let error = expectDataError { try MNIST.loadRaw(from: .directory(directory)) }
        XCTAssertEqual(error, .labelOutOfRange(path: labels, index: 2, value: 12))
        assertMessage(error?.description ?? "", contains: [labels, "label 12", "position 2", "0…9"])
    }

    func testAFolderInPlaceOfAFileIsUnreadable() throws {
        let path = try makeTemporaryDirectory(self)
        let error = expectDataError { try IDXReader.readLabels(at: path) }
        XCTAssertEqual(error, .unreadable(path: path, reason: "it is a folder"))
        assertMessage(error?.description ?? "", contains: [path, "could not be read"])
    }
}
