import Foundation

/// A minimal PNG writer for 8-bit grayscale images, enough to inline small images
/// (digits, filters) as `data:` URIs without any image library.
///
/// The image data is stored uncompressed: a zlib stream of "stored" deflate blocks
/// (RFC 1950/1951) with an Adler-32 checksum, in chunks protected by CRC-32 (ISO 3309).
/// For a 28 × 28 digit that is under 1 KB, smaller than an SVG `<rect>` per pixel.
public enum PNGEncoder {
    /// PNG bytes for a grayscale image, `pixels` row-major, one byte per pixel (0 black, 255 white).
    ///
    /// - Throws: ``ReportError/invalidDimensions(width:height:)`` or
    ///   ``ReportError/pixelCountMismatch(width:height:count:)``.
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
        guard width > 0, height > 0 else { throw ReportError.invalidDimensions(width: width, height: height) }
        guard pixels.count == width * height else {
            throw ReportError.pixelCountMismatch(width: width, height: height, count: pixels.count)
        }
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0) // filter type: None
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0] // bit depth 8, colour type 0 (gray), deflate, filter 0, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", zlibStored(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// A `data:image/png;base64,…` URI for the same image.
    public static func dataURI(width: Int, height: Int, pixels: [UInt8]) throws -> String {
        let bytes = try grayscale(width: width, height: height, pixels: pixels)
        return "data:image/png;base64," + Data(bytes).base64EncodedString()
    }

    /// A zlib stream holding `data` in stored (uncompressed) deflate blocks of at most 65 535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01] // deflate, 32 KB window, no dictionary, fastest; (0x7801 % 31 == 0)
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let isFinal = offset + length >= data.count
            out.append(isFinal ? 1 : 0) // BFINAL bit, BTYPE = 00 (stored)
            out.append(UInt8(length & 0xFF))
            out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF))
            out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: data[offset..<(offset + length)])
            offset += length
        } while offset < data.count
        out += bigEndian(adler32(data))
        return out
    }

    /// Adler-32 (RFC 1950).
    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 as used by PNG, zip and gzip.
    static func crc32<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        png += bigEndian(crc32(typeBytes + data))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
