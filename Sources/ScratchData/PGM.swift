/// Reads and writes Netpbm gray maps (PGM) and, for convenience, pixel maps (PPM).
///
/// ```
/// P5            P2 = ASCII samples, P5 = binary (P3/P6: the same for RGB)
/// # a comment   comments run from '#' to the end of the line, anywhere in the header
/// 28 28         width height
/// 255           maxval, 1…65535
/// <samples>     P5: one byte each if maxval < 256, else two bytes big-endian
/// ```
/// The format MNIST's images are easiest to inspect in (`display`, `convert`, GIMP, Preview).
public enum PGM {
    /// Decodes a P2, P5, P3 or P6 file's bytes; `source` names it in errors.
    /// - Throws: ``ImageFileError``: malformed header, sample above maxval, truncated data, too large.
    public static func decode(_ bytes: [UInt8], source: String = "the PGM data") throws -> RasterImage {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes a P2, P5, P3 or P6 file's bytes; `source` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> RasterImage {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else {
            throw ImageFileError.corrupt(source: source, reason: "a PGM file starts with P2 or P5")
        }
        let channels: RasterImage.Channels
        let binary: Bool
        switch bytes[1] {
        case UInt8(ascii: "2"): (channels, binary) = (.gray, false)
        case UInt8(ascii: "5"): (channels, binary) = (.gray, true)
        case UInt8(ascii: "3"): (channels, binary) = (.rgb, false)
        case UInt8(ascii: "6"): (channels, binary) = (.rgb, true)
        case UInt8(ascii: "1"), UInt8(ascii: "4"):
            throw ImageFileError.unsupportedFeature(source: source, feature: "the PBM bitmap format (P1/P4)")
        case UInt8(ascii: "7"):
            throw ImageFileError.unsupportedFeature(source: source, feature: "the PAM format (P7)")
        default:
            throw ImageFileError.corrupt(source: source, reason: "a PGM file starts with P2 or P5")
        }
        var scanner = Scanner(bytes: bytes, position: 2, source: source)
        let width = try scanner.headerNumber("width")
        let height = try scanner.headerNumber("height")
        let maxValue = try scanner.headerNumber("maxval")
        guard width >= 1, height >= 1 else {
            throw ImageFileError.corrupt(source: source, reason: "its size is \(width)×\(height); both must be at least 1")
        }
        guard (1 ... 65535).contains(maxValue) else {
            throw ImageFileError.corrupt(source: source, reason: "its maxval is \(maxValue); it must be 1 to 65,535")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= ImageFile.maxPixels else {
            throw ImageFileError.tooLarge(source: source, width: width, height: height)
        }
        let count = pixels * channels.count
        // ASCII samples take at least two bytes each ("0 "): check before allocating.
        if !binary, count > (bytes.count - scanner.position + 1) / 2 {
            throw ImageFileError.truncated(source: source, detail: "its header promises \(grouped(count)) samples but only \(grouped(bytes.count - scanner.position)) bytes follow")
        }
        var samples = [UInt16]()
        if binary {
            // Exactly one whitespace character separates maxval from the samples.
            guard scanner.position < bytes.count, isWhitespace(bytes[scanner.position]) else {
                throw ImageFileError.truncated(source: source, detail: "it ends right after its header, with no pixels")
            }
            let start = scanner.position + 1
            let bytesPerSample = maxValue < 256 ? 1 : 2
            let needed = count * bytesPerSample
            let available = bytes.count - start
            guard needed <= available else {
                throw ImageFileError.truncated(source: source, detail: "its header promises \(grouped(needed)) bytes of pixels but \(grouped(available)) follow")
            }
            var tooBright: Int?
            samples = [UInt16](repeating: 0, count: count)
            samples.withUnsafeMutableBufferPointer { out in
                for i in 0 ..< count {
                    let value = bytesPerSample == 1 ? UInt16(bytes[start + i])
                        : UInt16(bytes[start + 2 * i]) << 8 | UInt16(bytes[start + 2 * i + 1])
                    if Int(value) > maxValue, tooBright == nil { tooBright = Int(value) }
                    out[i] = value
                }
            }
            if let tooBright {
                throw ImageFileError.corrupt(source: source, reason: "a sample is \(tooBright), above its maxval \(maxValue)")
            }
        } else {
            samples = [UInt16](repeating: 0, count: count)
            for i in 0 ..< count {
                guard let value = try scanner.number() else {
                    throw ImageFileError.truncated(source: source, detail: "it holds \(grouped(i)) of the \(grouped(count)) samples its header promises")
                }
                guard value <= maxValue else {
                    throw ImageFileError.corrupt(source: source, reason: "sample \(grouped(i + 1)) is \(value), above its maxval \(maxValue)")
                }
                samples[i] = UInt16(value)
            }
        }
        return RasterImage(width: width, height: height, channels: channels, maxValue: maxValue, samples: samples)
    }

    /// A binary (P5) or ASCII (P2) PGM file of an 8-bit gray image, maxval 255.
    public static func encode(_ image: GrayImage, ascii: Bool = false) -> [UInt8] {
        var bytes = Array("\(ascii ? "P2" : "P5")\n\(image.width) \(image.height)\n255\n".utf8)
        if ascii {
            for y in 0 ..< image.height {
                let row = image.pixels[y * image.width ..< (y + 1) * image.width].map { String($0) }
                bytes += Array((row.joined(separator: " ") + "\n").utf8)
            }
        } else {
            bytes += image.pixels
        }
        return bytes
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Reads decimal numbers separated by whitespace and `#` comments.
    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var position: Int
        let source: String

        /// Skips whitespace and comments; then the next decimal number, or `nil` at the end.
        mutating func number() throws -> Int? {
            while position < bytes.count {
                let byte = bytes[position]
                if isWhitespace(byte) {
                    position += 1
                } else if byte == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                } else {
                    break
                }
            }
            guard position < bytes.count else { return nil }
            var value = 0
            var digits = 0
            while position < bytes.count, (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                digits += 1
                position += 1
                guard value <= Int(Int32.max) else {
                    throw ImageFileError.corrupt(source: source, reason: "a number in it is too large")
                }
            }
            guard digits > 0 else {
                throw ImageFileError.corrupt(source: source, reason: "it holds '\(Unicode.Scalar(bytes[position]))' at byte \(grouped(position)) where a number should be")
            }
            return value
        }

        mutating func headerNumber(_ name: String) throws -> Int {
            guard let value = try number() else {
                throw ImageFileError.truncated(source: source, detail: "it ends before its \(name)")
            }
            return value
        }
    }
}
