import Foundation
import ScratchData
import TestSupport
import XCTest

final class ImageFileTests: XCTestCase {
    // MARK: PNG: every colour type, bit depth and filter

    /// (colour type, bit depth, channels of the decoded image, palette size)
    private let configurations: [(UInt8, UInt8, RasterImage.Channels)] = [
        (0, 1, .gray), (0, 2, .gray), (0, 4, .gray), (0, 8, .gray), (0, 16, .gray),
        (2, 8, .rgb), (2, 16, .rgb),
        (4, 8, .grayAlpha), (4, 16, .grayAlpha),
        (6, 8, .rgba), (6, 16, .rgba),
    ]

    func testDecodesEveryColourTypeBitDepthAndFilter() throws {
        var random = TestRandom(state: 42)
        for (colorType, depth, channels) in configurations {
            // Widths that leave partial bytes at low depths; ≥ 5 rows so each filter type appears.
            for (width, height) in [(7, 6), (1, 5), (13, 11)] {
                let maxSample = (1 << Int(depth)) - 1
                let samples = (0 ..< width * height * channels.count).map { _ in random.next(below: maxSample + 1) }
                for filter in [nil, 0, 1, 2, 3, 4] as [UInt8?] {
                    var png = TestPNG(width: width, height: height, colorType: colorType, bitDepth: depth, samples: samples)
                    if let filter { png.filter = { _ in filter } }
                    let label = "colour type \(colorType), depth \(depth), \(width)×\(height), filter \(filter.map(String.init) ?? "cycling")"
                    let image = try PNGDecoder.decode(png.encoded(), source: label)
                    XCTAssertEqual(image.width, width, label)
                    XCTAssertEqual(image.height, height, label)
                    XCTAssertEqual(image.channels, channels, label)
                    XCTAssertEqual(image.maxValue, maxSample, label)
                    XCTAssertEqual(image.samples, samples.map { UInt16($0) }, label)
                }
            }
        }
    }

    func testPaletteImagesWithAndWithoutTransparency() throws {
        var random = TestRandom(state: 7)
        for depth: UInt8 in [1, 2, 4, 8] {
            let colours = min(256, 1 << Int(depth))
            let palette = (0 ..< colours * 3).map { _ in UInt8(random.next(below: 256)) }
            let indices = (0 ..< 9 * 7).map { _ in random.next(below: colours) }
            var png = TestPNG(width: 9, height: 7, colorType: 3, bitDepth: depth, samples: indices, palette: palette)
            let rgb = try PNGDecoder.decode(png.encoded())
            XCTAssertEqual(rgb.channels, .rgb)
            XCTAssertEqual(rgb.maxValue, 255)
            XCTAssertEqual(rgb.samples, indices.flatMap { i in (0 ..< 3).map { UInt16(palette[i * 3 + $0]) } }, "depth \(depth)")

            // tRNS gives the first colours an alpha; the rest stay opaque.
            let alphas: [UInt8] = [0, 128]
            png.transparency = alphas
            let rgba = try PNGDecoder.decode(png.encoded())
            XCTAssertEqual(rgba.channels, .rgba)
            let expected = indices.flatMap { i in
                (0 ..< 3).map { UInt16(palette[i * 3 + $0]) } + [UInt16(i < alphas.count ? alphas[i] : 255)]
            }
            XCTAssertEqual(rgba.samples, expected, "depth \(depth)")
        }
        // An index beyond the palette is an error, not a crash.
        let bad = TestPNG(width: 2, height: 1, colorType: 3, bitDepth: 8, samples: [0, 5], palette: [1, 2, 3])
        XCTAssertThrowsError(try PNGDecoder.decode(bad.encoded(), source: "p.png")) { error in
            guard case .corrupt(_, let reason)? = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("palette entry 5"), reason)
        }
    }

    func testColourKeyTransparencyForGrayAndRGB() throws {
        let gray = TestPNG(width: 3, height: 1, colorType: 0, bitDepth: 8, samples: [10, 20, 30], transparency: [0, 20])
        let decoded = try PNGDecoder.decode(gray.encoded())
        XCTAssertEqual(decoded.channels, .grayAlpha)
        XCTAssertEqual(decoded.samples, [10, 255, 20, 0, 30, 255])
        let rgb = TestPNG(width: 2, height: 1, colorType: 2, bitDepth: 8, samples: [1, 2, 3, 4, 5, 6], transparency: [0, 4, 0, 5, 0, 6])
        XCTAssertEqual(try PNGDecoder.decode(rgb.encoded()).samples, [1, 2, 3, 255, 4, 5, 6, 0])
    }

    func testSplitIDATAndAncillaryChunks() throws {
        var random = TestRandom(state: 3)
        let samples = (0 ..< 40 * 30 * 3).map { _ in random.next(below: 256) }
        var png = TestPNG(width: 40, height: 30, colorType: 2, bitDepth: 8, samples: samples)
        png.idatChunkSize = 7
        png.extraChunks = [("tEXt", Array("Comment\0made by a test".utf8)), ("gAMA", [0, 0, 0xB1, 0x8F])]
        XCTAssertEqual(try PNGDecoder.decode(png.encoded()).samples, samples.map { UInt16($0) })
    }

    /// PNGs written by ImageMagick (when `convert` is installed) decode to the samples
    /// ImageMagick itself reads from them.
    func testMatchesImageMagickWhenInstalled() throws {
        guard (try? runTool("convert", ["-version"]).status) == 0 else { throw XCTSkip("ImageMagick's convert is not installed") }
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = TestRandom(state: 11)
        let (width, height) = (13, 9)
        let pam = Array("P7\nWIDTH \(width)\nHEIGHT \(height)\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n".utf8)
            + (0 ..< width * height * 4).map { _ in UInt8(random.next(below: 256)) }
        let source = folder.appendingPathComponent("source.pam").path
        try Data(pam).write(to: URL(fileURLWithPath: source))
        let variants: [(String, [String])] = [
            ("rgb8", ["png24:"]), ("rgba8", ["png32:"]), ("rgb16", ["png48:"]), ("rgba16", ["png64:"]),
            ("palette", ["png8:"]), ("gray8", ["-alpha", "off", "-colorspace", "Gray", "-depth", "8", "png:"]),
            ("grayalpha8", ["-colorspace", "Gray", "-depth", "8", "png:"]),
            ("gray16", ["-alpha", "off", "-colorspace", "Gray", "-depth", "16", "png:"]),
            ("gray2", ["-alpha", "off", "-colorspace", "Gray", "-depth", "2", "png:"]),
        ]
        var colourTypes = Set<UInt8>()
        for (name, options) in variants {
            let png = folder.appendingPathComponent("\(name).png").path
            let raw = folder.appendingPathComponent("\(name).rgba").path
            let arguments = [source] + options.dropLast() + [(options.last ?? "png:") + png]
            guard try runTool("convert", arguments).status == 0,
                  try runTool("convert", [png, "-depth", "16", "rgba:" + raw]).status == 0 else {
                throw XCTSkip("ImageMagick could not write \(name)")
            }
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: png)))
            colourTypes.insert(bytes[25])
            let image = try PNGDecoder.decode(bytes, source: png)
            let reference = try Array(Data(contentsOf: URL(fileURLWithPath: raw)))
            XCTAssertEqual(reference.count, width * height * 8, name)
            let c = image.channels.count
            var mismatches = 0
            for p in 0 ..< min(width * height, reference.count / 8) {
                let s = image.samples[p * c ..< p * c + c].map { Int($0) * 65535 / image.maxValue }
                let rgba: [Int] = switch image.channels {
                case .gray: [s[0], s[0], s[0], 65535]
                case .grayAlpha: [s[0], s[0], s[0], s[1]]
                case .rgb: s + [65535]
                case .rgba: s
                }
                for k in 0 ..< 4 where abs(rgba[k] - (Int(reference[p * 8 + 2 * k]) | Int(reference[p * 8 + 2 * k + 1]) << 8)) > 1 {
                    mismatches += 1
                }
            }
            XCTAssertEqual(mismatches, 0, "\(name): samples that differ from ImageMagick's")
        }
        XCTAssertEqual(colourTypes, [0, 2, 3, 4, 6], "ImageMagick wrote every colour type")
    }

    // MARK: PNG errors

    private var smallPNG: [UInt8] {
        TestPNG(width: 8, height: 8, colorType: 0, bitDepth: 8, samples: (0 ..< 64).map { $0 * 4 }).encoded()
    }

    func testWrongSignature() {
        var bytes = smallPNG
        bytes[1] = 0x51
        XCTAssertThrowsError(try PNGDecoder.decode(bytes, source: "x.png")) { error in
            XCTAssertEqual(error as? ImageFileError, .notPNG(source: "x.png"))
            assertSentence(error, mentions: ["x.png", "not a PNG file", "89 50 4E 47"])
        }
    }

    func testTruncatedPNGAtEveryLength() {
        let bytes = smallPNG
        for length in 0 ..< bytes.count {
            XCTAssertThrowsError(try PNGDecoder.decode(Array(bytes.prefix(length)), source: "t.png"), "length \(length)") { error in
                guard let error = error as? ImageFileError else { return XCTFail("\(error)") }
                guard case .truncated = error else { return XCTFail("length \(length): \(error)") }
            }
        }
        XCTAssertThrowsError(try PNGDecoder.decode(Array(bytes.prefix(bytes.count - 20)), source: "t.png")) { error in
            assertSentence(error, mentions: ["t.png", "truncated"])
        }
    }

    func testIDATThatEndsEarly() throws {
        // Valid chunks, but the zlib stream holds only half the rows.
        var png = TestPNG(width: 8, height: 8, colorType: 0, bitDepth: 8, samples: Array(repeating: 9, count: 64))
        let half = png.zlibCompress(Array(png.filteredData().prefix(36)))
        png.idatChunkSize = .max
        var bytes = Array(png.encoded().prefix(8 + 25))  // signature + IHDR
        bytes += png.chunk("IDAT", half) + png.chunk("IEND", [])
        XCTAssertThrowsError(try PNGDecoder.decode(bytes, source: "h.png")) { error in
            guard case .truncated(_, let detail)? = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("36 of 72"), detail)
        }
    }

    func testDamagedPNGs() {
        // A flipped byte in IDAT: CRC error.
        var bytes = smallPNG
        bytes[8 + 25 + 10] ^= 0x01
        XCTAssertThrowsError(try PNGDecoder.decode(bytes, source: "c.png")) { error in
            guard case .corrupt(_, let reason)? = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("IDAT") && reason.contains("CRC"), reason)
        }
        // A filter type that does not exist.
        var png = TestPNG(width: 2, height: 2, colorType: 0, bitDepth: 8, samples: [1, 2, 3, 4])
        png.filter = { $0 == 1 ? 7 : 0 }
        XCTAssertThrowsError(try PNGDecoder.decode(png.encoded(), source: "f.png")) { error in
            guard case .corrupt(_, let reason)? = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("row 2 uses filter type 7"), reason)
        }
        // Bit depth not allowed for the colour type.
        let badDepth = TestPNG(width: 1, height: 1, colorType: 2, bitDepth: 4, samples: [0, 0, 0])
        XCTAssertThrowsError(try PNGDecoder.decode(badDepth.encoded(), source: "d.png")) { error in
            guard case .corrupt? = error as? ImageFileError else { return XCTFail("\(error)") }
        }
        // Every single damaged byte: an error or an image, never a crash.
        let good = smallPNG
        for index in 0 ..< good.count {
            var damaged = good
            damaged[index] = damaged[index] &+ 0x35
            _ = try? PNGDecoder.decode(damaged)
        }
    }

    func testInterlacedIsRejected() {
        var png = TestPNG(width: 4, height: 4, colorType: 0, bitDepth: 8, samples: Array(repeating: 0, count: 16))
        png.interlace = 1
        XCTAssertThrowsError(try PNGDecoder.decode(png.encoded(), source: "i.png")) { error in
            XCTAssertEqual(error as? ImageFileError, .interlaced(source: "i.png"))
            assertSentence(error, mentions: ["i.png", "interlaced", "Adam7", "without interlacing"])
        }
    }

    func testHugeDimensionsAreRefusedBeforeAllocating() {
        let png = TestPNG(width: 100_000, height: 100_000, colorType: 0, bitDepth: 8, samples: [])
        var bytes = PNGDecoder.signature + png.chunk("IHDR", png.be32(100_000) + png.be32(100_000) + [8, 0, 0, 0, 0])
        bytes += png.chunk("IDAT", png.zlibCompress([0, 0, 0])) + png.chunk("IEND", [])
        XCTAssertThrowsError(try PNGDecoder.decode(bytes, source: "big.png")) { error in
            XCTAssertEqual(error as? ImageFileError, .tooLarge(source: "big.png", width: 100_000, height: 100_000))
        }
    }

    // MARK: Grayscale

    func testGrayscaleUsesLuminanceAndCompositesOverWhite() {
        let rgba = RasterImage(width: 5, height: 1, channels: .rgba, maxValue: 255, samples: [
            255, 0, 0, 255,      // red → 0.299
            0, 255, 0, 255,      // green → 0.587
            0, 0, 255, 255,      // blue → 0.114
            0, 0, 0, 0,          // transparent → white
            0, 0, 0, 128,        // half-transparent black → about half gray
        ])
        XCTAssertEqual(rgba.grayscale().pixels, [76, 150, 29, 255, 127])
        let sixteen = RasterImage(width: 2, height: 1, channels: .grayAlpha, maxValue: 65535, samples: [65535, 65535, 0, 32768])
        XCTAssertEqual(sixteen.grayscale().pixels, [255, 127])
        let fourBit = RasterImage(width: 2, height: 1, channels: .gray, maxValue: 15, samples: [15, 5])
        XCTAssertEqual(fourBit.grayscale().pixels, [255, 85])
    }

    // MARK: PGM

    func testPGMASCIIWithComments() throws {
        let text = """
            P2
            # made by hand
            3 2 # width height
            # maxval next
            15
            0 5 10
            15 # a comment inside the pixels
             7 1
            """
        let image = try PGM.decode(Array(text.utf8))
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.maxValue, 15)
        XCTAssertEqual(image.samples, [0, 5, 10, 15, 7, 1])
        XCTAssertEqual(image.grayscale().pixels, [0, 85, 170, 255, 119, 17])
    }

    func testPGMBinary8And16Bit() throws {
        let eight = Array("P5\n# comment\n4 1\n255\n".utf8) + [0, 1, 254, 255]
        XCTAssertEqual(try PGM.decode(eight).samples, [0, 1, 254, 255])
        let sixteen = Array("P5 2 1 65535\n".utf8) + [0x01, 0x02, 0xFF, 0xFF]
        let image = try PGM.decode(sixteen)
        XCTAssertEqual(image.maxValue, 65535)
        XCTAssertEqual(image.samples, [0x0102, 0xFFFF])
        // PPM too.
        let ppm = Array("P6 1 1 255\n".utf8) + [255, 0, 0]
        XCTAssertEqual(try PGM.decode(ppm).grayscale().pixels, [76])
        // Round trip through the encoder.
        let gray = GrayImage(width: 3, height: 2, pixels: [0, 50, 100, 150, 200, 250])
        XCTAssertEqual(try PGM.decode(PGM.encode(gray)).grayscale(), gray)
        XCTAssertEqual(try PGM.decode(PGM.encode(gray, ascii: true)).grayscale(), gray)
    }

    func testPGMErrors() {
        let cases: [(String, [UInt8])] = [
            ("truncated binary", Array("P5 4 4 255\n".utf8) + [1, 2, 3]),
            ("truncated ascii", Array("P2 2 2 255 1 2 3".utf8)),
            ("no header", Array("P5 4".utf8)),
            ("above maxval", Array("P2 2 1 10 5 11".utf8)),
            ("above maxval binary", Array("P5 2 1 10\n".utf8) + [5, 11]),
            ("zero width", Array("P2 0 1 255".utf8)),
            ("maxval 0", Array("P2 1 1 0 0".utf8)),
            ("maxval too big", Array("P2 1 1 70000 0".utf8)),
            ("garbage", Array("P2 1 x 255".utf8)),
            ("PBM", Array("P4 1 1\n".utf8) + [0]),
        ]
        for (label, bytes) in cases {
            XCTAssertThrowsError(try PGM.decode(bytes, source: "\(label).pgm"), label) { error in
                guard error is ImageFileError else { return XCTFail("\(label): \(error)") }
                assertSentence(error, mentions: ["\(label).pgm"])
            }
        }
        XCTAssertThrowsError(try PGM.decode(Array("P5 4 4 255\n".utf8) + [1, 2, 3], source: "t.pgm")) { error in
            guard case .truncated(_, let detail)? = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("16 bytes") && detail.contains("3 follow"), detail)
        }
    }

    // MARK: Files and formats

    func testImageFileRecognisesFormatsByContent() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = folder.appendingPathComponent("digit.dat")
        try Data(smallPNG).write(to: png)
        XCTAssertEqual(try ImageFile.load(path: png.path).width, 8)
        let pgm = folder.appendingPathComponent("digit.png")  // a misleading name does not matter
        try Data(Array("P5 1 1 255\n".utf8) + [9]).write(to: pgm)
        XCTAssertEqual(try ImageFile.load(path: pgm.path).samples, [9])

        XCTAssertThrowsError(try ImageFile.decode([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], source: "photo.jpg")) { error in
            XCTAssertEqual(error as? ImageFileError, .unsupportedFormat(source: "photo.jpg", format: "JPEG"))
            assertSentence(error, mentions: ["photo.jpg", "JPEG", "PNG or PGM"])
        }
        XCTAssertThrowsError(try ImageFile.decode(Array("hello".utf8), source: "n.txt")) { error in
            XCTAssertEqual(error as? ImageFileError, .unknownFormat(source: "n.txt"))
        }
        XCTAssertThrowsError(try ImageFile.load(path: folder.appendingPathComponent("none.png").path)) { error in
            guard case .fileNotFound? = error as? ImageFileError else { return XCTFail("\(error)") }
        }
    }
}

/// Runs a command found on PATH; returns its exit status.
@discardableResult
func runTool(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
