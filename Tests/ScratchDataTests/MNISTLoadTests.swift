import Foundation
import ScratchData
import ScratchTensor
import TestSupport
import XCTest

final class MNISTLoadTests: XCTestCase {
    // MARK: load(...) on the real files

    func testLoadsFullMNISTLikeLoadMnist() throws {
        let directory = try realMNISTDirectory()
        let mnist = try MNIST.load(from: .directory(directory))  // normalize, flatten, no one-hot, Float
        XCTAssertEqual(mnist.train.images.shape, [60000, 784])
        XCTAssertEqual(mnist.test.images.shape, [10000, 784])
        XCTAssertEqual(mnist.train.count, 60000)
        XCTAssertEqual(mnist.test.count, 10000)
        XCTAssertEqual(Array(mnist.train.labels.prefix(5)), [5, 0, 4, 1, 9])
        XCTAssertEqual(Array(mnist.test.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(mnist.train.targets.shape, [60000])
        XCTAssertEqual(Array(mnist.train.targets.scalars.prefix(5)), [5, 0, 4, 1, 9])
        let firstThousand = mnist.train.images.scalars[0 ..< 784 * 1000]
        XCTAssertEqual(firstThousand.min(), 0)
        XCTAssertEqual(firstThousand.max(), 1)
        let lastTestImage = mnist.test.images.scalars[784 * 9999 ..< 784 * 10000]
        XCTAssertGreaterThan(lastTestImage.max() ?? 0, 0.5, "the last test image is converted too")
        XCTAssertLessThanOrEqual(lastTestImage.max() ?? 2, 1)
    }

    // MARK: The options, on the bundled sample

    func testNormalizeScalesToZeroOneAndRawKeepsBytes() throws {
        let raw = try MNIST.loadRaw(from: .bundledSample).train.prefix(200)
        let normalized = MNIST.makeSplit(raw, normalize: true, as: Float.self)
        let plain = MNIST.makeSplit(raw, normalize: false, as: Float.self)
        XCTAssertEqual(normalized.images.scalars.min(), 0)
        XCTAssertEqual(normalized.images.scalars.max(), 1)
        XCTAssertEqual(plain.images.scalars.max(), 255)
        for (i, pixel) in raw.images.pixels.enumerated() {
            XCTAssertEqual(plain.images.scalars[i], Float(pixel))
            XCTAssertEqual(normalized.images.scalars[i], Float(pixel) / 255)  // as NumPy's x / 255.0
        }
    }

    func testFlattenOrImageShape() throws {
        let flat = try MNIST.load(from: .bundledSample, flatten: true)
        let images = try MNIST.load(from: .bundledSample, flatten: false)
        XCTAssertEqual(flat.train.images.shape, [5000, 784])
        XCTAssertEqual(images.train.images.shape, [5000, 1, 28, 28])
        XCTAssertEqual(images.test.images.shape, [1000, 1, 28, 28])
        XCTAssertEqual(flat.train.images.scalars, images.train.images.scalars)
        // Pixel (row 14, column 10) of image 3 in both layouts.
        XCTAssertEqual(images.train.images[3, 0, 14, 10], flat.train.images[3, 14 * 28 + 10])
    }

    func testOneHotRowsSumToOneAndPointAtTheLabel() throws {
        let mnist = try MNIST.load(from: .bundledSample, oneHot: true)
        XCTAssertEqual(mnist.train.targets.shape, [5000, 10])
        XCTAssertEqual(mnist.test.targets.shape, [1000, 10])
        for split in [mnist.train, mnist.test] {
            for row in 0 ..< split.count {
                let values = Array(split.targets.scalars[row * 10 ..< row * 10 + 10])
                XCTAssertEqual(values.reduce(0, +), 1)
                XCTAssertEqual(values.firstIndex(of: values.max() ?? 0), split.labels[row])
            }
        }
        let labelsOnly = try MNIST.load(from: .bundledSample, oneHot: false)
        XCTAssertEqual(labelsOnly.train.targets.shape, [5000])
        XCTAssertEqual(labelsOnly.train.targets.scalars.map { Int($0) }, labelsOnly.train.labels)
    }

    func testDoublePrecision() throws {
        let double = try MNIST.load(from: .bundledSample, normalize: true, flatten: false, oneHot: true, as: Double.self)
        let float = try MNIST.load(from: .bundledSample, normalize: true, flatten: false, oneHot: true, as: Float.self)
        XCTAssertEqual(double.train.images.shape, [5000, 1, 28, 28])
        XCTAssertEqual(double.test.targets.shape, [1000, 10])
        XCTAssertEqual(double.train.labels, float.train.labels)
        XCTAssertEqual(double.train.images.scalars[200 ..< 400].map { $0 * 255 }.map { $0.rounded() },
                       float.train.images.scalars[200 ..< 400].map { Double($0) * 255 }.map { $0.rounded() })
        let raw = try MNIST.loadRaw(from: .bundledSample)
        XCTAssertEqual(double.train.images.scalars[0 ..< 784], ArraySlice(raw.train.images.pixels.prefix(784).map { Double($0) / 255 }))
        // Inferred from the context, too.
        let inferred: MNISTDataset<Double> = try MNIST.load(from: .bundledSample, as: Double.self)
        XCTAssertEqual(inferred.test.images.shape, [1000, 784])
    }

    func testPrefixTakesTheFirstExamples() throws {
        let mnist = try MNIST.load(from: .bundledSample, flatten: false, oneHot: true)
        let first = mnist.train.prefix(300)
        XCTAssertEqual(first.count, 300)
        XCTAssertEqual(first.images.shape, [300, 1, 28, 28])
        XCTAssertEqual(first.targets.shape, [300, 10])
        XCTAssertEqual(first.labels, Array(mnist.train.labels.prefix(300)))
        XCTAssertEqual(first.images.scalars, Array(mnist.train.images.scalars.prefix(300 * 784)))
        XCTAssertEqual(mnist.test.prefix(5000).count, 1000, "prefix beyond the end keeps everything")
        XCTAssertEqual(mnist.test.prefix(0).images.shape, [0, 1, 28, 28])
    }

    // MARK: The bundled sample

    func testBundledSampleIsTheFirstImagesOfMNIST() throws {
        let sample = try MNIST.loadRaw(from: .bundledSample)
        XCTAssertEqual(sample.train.count, MNISTSample.trainingCount)
        XCTAssertEqual(sample.test.count, MNISTSample.testCount)
        XCTAssertEqual(sample.train.count, 5000)
        XCTAssertEqual(sample.test.count, 1000)
        XCTAssertEqual(Array(sample.train.labels.prefix(5)), [5, 0, 4, 1, 9])
        XCTAssertEqual(Array(sample.test.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertTrue(FileManager.default.fileExists(atPath: try MNISTSample.directory() + "/train-images-idx3-ubyte.gz"))

        let directory = try realMNISTDirectory()
        let full = try MNIST.loadRaw(from: .directory(directory))
        XCTAssertEqual(sample.train, full.train.prefix(5000))
        XCTAssertEqual(sample.test, full.test.prefix(1000))
    }

    func testOneHotHelperAndScalarConversion() {
        let targets = MNIST.oneHotTargets([2, 0, 9], as: Double.self)
        XCTAssertEqual(targets.shape, [3, 10])
        XCTAssertEqual(targets[0, 2], 1)
        XCTAssertEqual(targets[1, 0], 1)
        XCTAssertEqual(targets[2, 9], 1)
        XCTAssertEqual(targets.scalars.reduce(0, +), 3)
        XCTAssertEqual(MNIST.scalars(fromPixels: [0, 128, 255], normalize: true, as: Float.self), [0, 128 / 255, 1])
        XCTAssertEqual(MNIST.scalars(fromPixels: [0, 128, 255], normalize: false, as: Double.self), [0, 128, 255])
        XCTAssertEqual(MNIST.scalars(fromPixels: [], normalize: true, as: Float.self), [])
    }
}
