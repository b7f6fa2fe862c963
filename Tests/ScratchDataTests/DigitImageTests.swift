import Foundation
import ScratchData
import TestSupport
import XCTest

final class DigitImageTests: XCTestCase {
    /// A white `width × height` picture with a black rectangle outline drawn on it.
    private func rectangleStroke(width: Int, height: Int, box: PixelBox, stroke: Int) -> GrayImage {
        var pixels = [UInt8](repeating: 255, count: width * height)
        for y in box.y ..< box.y + box.height {
            for x in box.x ..< box.x + box.width {
                let onEdge = x < box.x + stroke || x >= box.x + box.width - stroke
                    || y < box.y + stroke || y >= box.y + box.height - stroke
                if onEdge { pixels[y * width + x] = 0 }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    /// The box around the non-zero values of a 28×28 result.
    private func nonZeroBox(_ image: IntensityImage) -> PixelBox? {
        DigitImage.inkBox(image, threshold: 0)
    }

    func testBlackOnWhiteRectangleBecomesCentredWhiteOnBlack() throws {
        let picture = rectangleStroke(width: 160, height: 110, box: PixelBox(x: 37, y: 21, width: 100, height: 60), stroke: 6)
        XCTAssertTrue(DigitImage.hasLightBackground(picture))
        let digit = try DigitImage.preprocess(picture)
        XCTAssertEqual(digit.width, 28)
        XCTAssertEqual(digit.height, 28)
        XCTAssertTrue(digit.values.allSatisfy { (0 ... 1).contains($0) })
        // Inverted: the corners are background (0), the stroke is ink (1).
        XCTAssertEqual(digit[0, 0], 0)
        XCTAssertEqual(digit[27, 27], 0)
        XCTAssertEqual(digit.values.max(), 1)
        // Fits the 20×20 box, the longer side filling it, the aspect ratio kept (100:60 → 20:12).
        let box = try XCTUnwrap(nonZeroBox(digit))
        XCTAssertEqual(box.width, 20)
        XCTAssertEqual(box.height, 12)
        // The middle of the rectangle stays empty.
        XCTAssertEqual(digit[14, 14], 0)
        let mass = try XCTUnwrap(DigitImage.centreOfMass(digit))
        XCTAssertEqual(mass.x, 14, accuracy: 1)
        XCTAssertEqual(mass.y, 14, accuracy: 1)
    }

    func testLightOnDarkIsNotInvertedAndTallDigitsKeepTheirShape() throws {
        // A white vertical bar on black, off centre: a "1".
        var pixels = [UInt8](repeating: 0, count: 50 * 80)
        for y in 10 ..< 70 { for x in 5 ..< 15 { pixels[y * 50 + x] = 255 } }
        let picture = GrayImage(width: 50, height: 80, pixels: pixels)
        XCTAssertFalse(DigitImage.hasLightBackground(picture))
        let digit = try DigitImage.preprocess(picture)
        let box = try XCTUnwrap(nonZeroBox(digit))
        XCTAssertEqual(box.height, 20)
        XCTAssertEqual(box.width, 3, "10:60 scaled to 20 high is 3.33 wide")
        let mass = try XCTUnwrap(DigitImage.centreOfMass(digit))
        XCTAssertEqual(mass.x, 14, accuracy: 1)
        XCTAssertEqual(mass.y, 14, accuracy: 1)
    }

    /// MNIST's first training image, written as a PGM enlarged 3× (nearest neighbour), comes
    /// back close to the original: the pipeline is the one MNIST was made with.
    func testFirstMNISTImageSurvivesTheRoundTrip() throws {
        let images = try IDXReader.readImages(at: MNISTSample.directory() + "/" + MNISTFile.trainImages.fileName)
        let original = Array(images.pixels.prefix(784))
        let scale = 3
        var big = [UInt8](repeating: 0, count: 784 * scale * scale)
        for y in 0 ..< 28 * scale {
            for x in 0 ..< 28 * scale { big[y * 28 * scale + x] = original[(y / scale) * 28 + x / scale] }
        }
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("five.pgm").path
        try Data(PGM.encode(GrayImage(width: 28 * scale, height: 28 * scale, pixels: big))).write(to: URL(fileURLWithPath: path))

        let values = try DigitImage.load(path: path)
        XCTAssertEqual(values.count, 784)
        let expected = original.map { Float($0) / 255 }
        let meanDifference = zip(values, expected).map { abs($0 - $1) }.reduce(0, +) / 784
        XCTAssertLessThan(meanDifference, 0.1)
        XCTAssertLessThan(meanDifference, 0.02, "an exact 3× enlargement should come back almost unchanged")

        // The same picture black-on-white (inverted) gives the same digit.
        let inverted = GrayImage(width: 28 * scale, height: 28 * scale, pixels: big.map { 255 - $0 })
        let fromInverted = try DigitImage.preprocess(inverted).values
        XCTAssertEqual(zip(fromInverted, values).map { abs($0 - $1) }.max() ?? 1, 0, accuracy: 1e-5)
    }

    func testBlankImagesHaveNoDigit() {
        for (width, height, shade) in [(1, 1, UInt8(0)), (1, 1, 255), (40, 30, 128), (3, 1, 255)] {
            let blank = GrayImage(width: width, height: height, pixels: [UInt8](repeating: shade, count: width * height))
            XCTAssertThrowsError(try DigitImage.preprocess(blank, source: "blank.png")) { error in
                XCTAssertEqual(error as? ImageFileError, .noDigit(source: "blank.png"))
                assertSentence(error, mentions: ["blank.png contains no digit: every pixel is the same shade"])
            }
        }
    }

    func testTinyAndLargeInputs() throws {
        // 2×1: one dark and one light pixel.
        let tiny = try DigitImage.preprocess(GrayImage(width: 2, height: 1, pixels: [0, 255]))
        XCTAssertEqual(try XCTUnwrap(nonZeroBox(tiny)).width, 20, "a single pixel is enlarged to the 20-pixel box")
        // A single dark pixel on white: found although it has no neighbours.
        var dot = [UInt8](repeating: 255, count: 25)
        dot[12] = 0
        let one = try DigitImage.preprocess(GrayImage(width: 5, height: 5, pixels: dot))
        XCTAssertEqual(one.values.max(), 1)
        // A big photo-like picture: gray paper with noise and a dark ring; isolated specks are ignored.
        var random = TestRandom(state: 5)
        let side = 1200
        var pixels = [UInt8](repeating: 0, count: side * side)
        for y in 0 ..< side {
            for x in 0 ..< side {
                let dx = Double(x - 500), dy = Double(y - 650)
                let r = (dx * dx + dy * dy).squareRoot()
                pixels[y * side + x] = abs(r - 200) < 25 ? UInt8(40 + random.next(below: 20)) : UInt8(190 + random.next(below: 20))
            }
        }
        pixels[5 * side + 5] = 0  // a speck near the corner
        let started = Date()
        let digit = try DigitImage.preprocess(GrayImage(width: side, height: side, pixels: pixels))
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        let box = try XCTUnwrap(DigitImage.inkBox(digit, threshold: 0.5))
        XCTAssertEqual(Double(box.width), 20, accuracy: 1)
        XCTAssertEqual(Double(box.height), 20, accuracy: 1)
        let mass = try XCTUnwrap(DigitImage.centreOfMass(digit))
        XCTAssertEqual(mass.x, 14, accuracy: 1)
        XCTAssertEqual(mass.y, 14, accuracy: 1)
    }

    // MARK: Steps

    func testInkImageStretchesAndInverts() throws {
        // Light gray paper (200) with darker ink (80): background → 0, ink → 1.
        let picture = GrayImage(width: 3, height: 3, pixels: [200, 200, 200, 200, 80, 200, 200, 200, 200])
        let ink = try DigitImage.inkImage(picture)
        XCTAssertEqual(ink.values, [0, 0, 0, 0, 1, 0, 0, 0, 0])
        XCTAssertEqual(DigitImage.borderMean(picture), 200 / 255, accuracy: 1e-6)
    }

    func testResampleAveragesAreasAndInterpolates() {
        let image = IntensityImage(width: 4, height: 2, values: [0, 1, 1, 1, 0, 0, 1, 1])
        // Halving averages 2×2 blocks.
        XCTAssertEqual(DigitImage.resample(image, width: 2, height: 1).values, [0.25, 1])
        // A non-integer factor conserves the mean.
        let three = DigitImage.resample(image, width: 3, height: 2)
        XCTAssertEqual(three.values.reduce(0, +) / 6, image.values.reduce(0, +) / 8, accuracy: 1e-6)
        // Enlarging interpolates between pixel centres and keeps the ends.
        let line = DigitImage.resample(IntensityImage(width: 2, height: 1, values: [0, 1]), width: 4, height: 1)
        XCTAssertEqual(line.values, [0, 0.25, 0.75, 1])
        assertSize(DigitImage.fittedSize(width: 100, height: 60), (width: 20, height: 12))
        assertSize(DigitImage.fittedSize(width: 1, height: 1000), (width: 1, height: 20))
    }

    func testCentredPlacesTheCentreOfMassOnPixel14() throws {
        let digit = IntensityImage(width: 3, height: 2, values: [1, 0, 0, 1, 0, 0])  // mass at (0, 0.5)
        let canvas = DigitImage.centred(digit)
        let mass = try XCTUnwrap(DigitImage.centreOfMass(canvas))
        XCTAssertEqual(mass.x, 14)
        XCTAssertEqual(mass.y, 14, accuracy: 0.5)
        // A digit whose mass sits at an edge is shifted only as far as keeps it whole.
        var lopsided = IntensityImage(width: 20, height: 20)
        lopsided[0, 10] = 1
        lopsided[19, 10] = 0.01
        let placed = DigitImage.centred(lopsided)
        XCTAssertEqual(placed.values.reduce(0, +), 1.01, accuracy: 1e-6, "nothing cut off")
    }
}

private func assertSize(_ a: (width: Int, height: Int), _ b: (width: Int, height: Int),
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(a.width == b.width && a.height == b.height, "\(a) is not \(b)", file: file, line: line)
}
