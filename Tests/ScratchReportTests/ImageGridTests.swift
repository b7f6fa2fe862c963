import Foundation
import XCTest
@testable import ScratchReport

final class ImageGridTests: XCTestCase {
    func testCRC32AndAdler32KnownValues() {
        XCTAssertEqual(PNGEncoder.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testPNGStructureAndStoredBlocksRoundTrip() throws {
        let width = 300, height = 250 // > 65 535 raw bytes: several stored blocks
        let pixels = (0..<(width * height)).map { UInt8($0 % 251) }
        let png = try PNGEncoder.grayscale(width: width, height: height, pixels: pixels)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

        // Walk the chunks, checking every CRC.
        var offset = 8
        var idat: [UInt8] = []
        var types: [String] = []
        while offset < png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(png[(offset + 8)..<(offset + 8 + length)])
            let crcBytes = png[(offset + 8 + length)..<(offset + 12 + length)]
            let crc = crcBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            XCTAssertEqual(crc, PNGEncoder.crc32(Array(type.utf8) + body), "CRC of \(type)")
            if type == "IDAT" { idat += body }
            types.append(type)
            offset += 12 + length
        }
        XCTAssertEqual(types, ["IHDR", "IDAT", "IEND"])

        // Inflate the stored blocks by hand.
        XCTAssertEqual(idat[0], 0x78)
        XCTAssertEqual((UInt16(idat[0]) << 8 | UInt16(idat[1])) % 31, 0, "zlib header check bits")
        var position = 2
        var raw: [UInt8] = []
        var final = false
        while !final {
            final = idat[position] & 1 == 1
            XCTAssertEqual(idat[position] & 0b110, 0, "stored block")
            let length = Int(idat[position + 1]) | Int(idat[position + 2]) << 8
            let complement = Int(idat[position + 3]) | Int(idat[position + 4]) << 8
            XCTAssertEqual(length ^ 0xFFFF, complement)
            raw += idat[(position + 5)..<(position + 5 + length)]
            position += 5 + length
        }
        let adler = idat[position..<(position + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        XCTAssertEqual(adler, PNGEncoder.adler32(raw))
        XCTAssertEqual(raw.count, (width + 1) * height)
        XCTAssertEqual(raw[0], 0, "filter byte")
        XCTAssertEqual(Array(raw[1...width]), Array(pixels[0..<width]))
    }

    func testGrayImageValidatesSize() {
        XCTAssertThrowsError(try GrayImage(width: 2, height: 2, pixels: [0, 1, 2]))
        XCTAssertThrowsError(try GrayImage(width: 0, height: 2, pixels: []))
    }

    func testGridWithCaptions() throws {
        let digit = try GrayImage(width: 28, height: 28, pixels: (0..<784).map { Double($0 % 28) / 27 })
        let cells = (0..<12).map { i in
            ImageGrid.Cell(image: digit, caption: "pred \(i % 10) / true \((i + 3) % 10)", emphasis: i.isMultiple(of: 2) ? .bad : .none)
        }
        let grid = ImageGrid(title: "Misclassified <test>", cells: cells, columns: 5, normalization: .fixed(0...1))
        let svg = grid.svg()
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertEqual(xml.elements(named: "image").count, 12)
        XCTAssertEqual(xml.elements(named: "text", class: "caption").count, 12)
        XCTAssertTrue(xml.hasText("pred 3 / true 6"))
        XCTAssertTrue(xml.hasText("Misclassified <test>"))
        let href = xml.elements(named: "image").first?.attributes["href"] ?? ""
        XCTAssertTrue(href.hasPrefix("data:image/png;base64,"))
        XCTAssertTrue(svg.contains("image-rendering:pixelated"))
        let size = grid.naturalSize
        XCTAssertEqual(xml.elements.first?.attributes["width"], SVGWriter.number(size.width))
    }

    func testNormalizationModes() throws {
        let image = try GrayImage(width: 2, height: 1, pixels: [-2, 2])
        XCTAssertEqual(ImageGrid(images: [image]).grayBytes(image, sharedRange: nil), [0, 255])
        XCTAssertEqual(ImageGrid(images: [image], colorMap: .grayInverted).grayBytes(image, sharedRange: nil), [255, 0])
        XCTAssertEqual(ImageGrid(images: [image], normalization: .fixed(0...4)).grayBytes(image, sharedRange: nil), [0, 128])
    }
}
