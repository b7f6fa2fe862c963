import CZlib

/// Decodes PNG images (ISO/IEC 15948, the W3C PNG specification), non-interlaced.
///
/// Supported: every colour type (gray, gray+alpha, RGB, RGBA, palette) at every bit depth
/// the format allows (1, 2, 4, 8, 16), transparency (`tRNS`) for palette, gray and RGB,
/// all five row filters (None, Sub, Up, Average, Paeth), `IDAT` split over any number of
/// chunks (inflated with zlib). CRCs of critical chunks are checked. Adam7 interlacing is
/// reported as ``ImageFileError/interlaced(source:)``; ancillary chunks (gamma, colour
/// profiles, text) are skipped.
public enum PNGDecoder {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The `IHDR` fields.
    public struct Header: Sendable, Equatable {
        /// Pixels per row.
        public var width: Int
        /// Rows.
        public var height: Int
        /// Bits per sample (per palette index for colour type 3): 1, 2, 4, 8 or 16.
        public var bitDepth: Int
        /// 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
        public var colorType: Int
        /// 0 none, 1 Adam7.
        public var interlace: Int

        /// Samples per pixel as stored (1 for a palette index).
        var storedChannels: Int {
            switch colorType {
            case 2: return 3
            case 4: return 2
            case 6: return 4
            default: return 1
            }
        }
        var bitsPerPixel: Int { storedChannels * bitDepth }
        /// Bytes per row, without the filter byte.
        var rowBytes: Int { (width * bitsPerPixel + 7) / 8 }
        /// The byte distance the filters look back: one pixel, at least one byte.
        var filterStride: Int { max(1, bitsPerPixel / 8) }
    }

    /// Decodes a PNG file's bytes; `source` names it in errors.
    /// - Throws: ``ImageFileError``: not PNG, truncated, damaged (CRC, IHDR, zlib, filter),
    ///   interlaced, too large.
    public static func decode(_ bytes: [UInt8], source: String = "the PNG data") throws -> RasterImage {
        try bytes.withUnsafeBytes { try decode($0, source: source) }
    }

    /// Decodes a PNG file's bytes; `source` names it in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String) throws -> RasterImage {
        let prefix = min(bytes.count, signature.count)
        guard zip(bytes.prefix(prefix), signature).allSatisfy({ $0 == $1 }) else {
            throw ImageFileError.notPNG(source: source)
        }
        guard bytes.count > signature.count else {
            throw ImageFileError.truncated(source: source, detail: "it ends inside the PNG signature, with no chunks")
        }
        let reader = BigEndianReader(bytes: bytes)
        var position = signature.count
        var header: Header?
        var palette: [(UInt16, UInt16, UInt16)] = []
        var transparency: [UInt8]?
        var compressed: [UInt8] = []
        var sawEnd = false
        while !sawEnd {
            guard let length = reader.u32(position), let typeBytes = reader.slice(position + 4, 4) else {
                throw ImageFileError.truncated(source: source, detail: "it ends after \(grouped(bytes.count)) bytes, before its IEND chunk")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (0x41 ... 0x5A).contains($0) || (0x61 ... 0x7A).contains($0) }) else {
                throw ImageFileError.corrupt(source: source, reason: "a chunk at byte \(grouped(position)) has an invalid type")
            }
            guard length <= 0x7FFF_FFFF, let data = reader.slice(position + 8, Int(length)),
                  let storedCRC = reader.u32(position + 8 + Int(length)) else {
                throw ImageFileError.truncated(source: source, detail: "its \(type) chunk at byte \(grouped(position)) runs past the end of the file")
            }
            let critical = typeBytes[0] & 0x20 == 0
            if critical, crc(of: UnsafeRawBufferPointer(rebasing: bytes[position + 4 ..< position + 8 + Int(length)])) != storedCRC {
                throw ImageFileError.corrupt(source: source, reason: "its \(type) chunk fails its CRC check")
            }
            if header == nil && type != "IHDR" {
                throw ImageFileError.corrupt(source: source, reason: "the first chunk is \(type), not IHDR")
            }
            switch type {
            case "IHDR":
                guard header == nil else { throw ImageFileError.corrupt(source: source, reason: "it has two IHDR chunks") }
                header = try parseHeader(data, source: source)
            case "PLTE":
                guard data.count % 3 == 0, (3 ... 768).contains(data.count) else {
                    throw ImageFileError.corrupt(source: source, reason: "its palette has \(data.count) bytes, not 3 per colour for 1 to 256 colours")
                }
                palette = stride(from: 0, to: data.count, by: 3).map { (UInt16(data[$0]), UInt16(data[$0 + 1]), UInt16(data[$0 + 2])) }
            case "tRNS":
                transparency = Array(data)
            case "IDAT":
                compressed.append(contentsOf: data)
            case "IEND":
                sawEnd = true
            default:
                if critical {
                    throw ImageFileError.unsupportedFeature(source: source, feature: "the critical chunk \(type), which is not part of the PNG standard")
                }
            }
            position += 12 + Int(length)
        }
        guard let header else {
            throw ImageFileError.corrupt(source: source, reason: "it has no IHDR chunk")
        }
        guard header.interlace == 0 else { throw ImageFileError.interlaced(source: source) }
        if header.colorType == 3 && palette.isEmpty {
            throw ImageFileError.corrupt(source: source, reason: "it is a palette image without a PLTE chunk")
        }
        guard !compressed.isEmpty else {
            throw ImageFileError.corrupt(source: source, reason: "it has no IDAT chunk, so no pixels")
        }
        let raw = try inflateRows(compressed, header: header, source: source)
        let rows = try unfilter(raw, header: header, source: source)
        return try samples(rows, header: header, palette: palette, transparency: transparency, source: source)
    }

    // MARK: Steps

    static func parseHeader(_ data: UnsafeRawBufferPointer, source: String) throws -> Header {
        guard data.count == 13 else {
            throw ImageFileError.corrupt(source: source, reason: "its IHDR chunk has \(data.count) bytes instead of 13")
        }
        let reader = BigEndianReader(bytes: data)
        let width = Int(reader.u32(0) ?? 0), height = Int(reader.u32(4) ?? 0)
        let header = Header(width: width, height: height, bitDepth: Int(data[8]), colorType: Int(data[9]), interlace: Int(data[12]))
        guard (1 ... 0x7FFF_FFFF).contains(width), (1 ... 0x7FFF_FFFF).contains(height) else {
            throw ImageFileError.corrupt(source: source, reason: "its size is \(width)×\(height); both must be at least 1")
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[header.colorType] else {
            throw ImageFileError.corrupt(source: source, reason: "its colour type \(header.colorType) does not exist (0, 2, 3, 4 and 6 do)")
        }
        guard depths.contains(header.bitDepth) else {
            throw ImageFileError.corrupt(source: source, reason: "bit depth \(header.bitDepth) is not allowed for colour type \(header.colorType)")
        }
        guard data[10] == 0, data[11] == 0 else {
            throw ImageFileError.corrupt(source: source, reason: "its compression method \(data[10]) or filter method \(data[11]) is not 0")
        }
        guard header.interlace <= 1 else {
            throw ImageFileError.corrupt(source: source, reason: "its interlace method \(header.interlace) does not exist")
        }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= ImageFile.maxPixels else {
            throw ImageFileError.tooLarge(source: source, width: width, height: height)
        }
        return header
    }

    /// The filtered rows (each a filter byte and `rowBytes` bytes), inflated from the IDAT data.
    static func inflateRows(_ compressed: [UInt8], header: Header, source: String) throws -> [UInt8] {
        let needed = header.height * (1 + header.rowBytes)
        // Deflate expands at most about 1032:1, so a short IDAT cannot fill a huge header's
        // promise: never allocate more than the data could produce.
        let possible = compressed.count < Int.max / 2048 ? compressed.count * 1032 + 1024 : Int.max
        let result = compressed.withUnsafeBytes {
            Inflate.run($0, windowBits: Inflate.zlibWindowBits, capacity: min(needed, possible))
        }
        guard result.bytes.count == needed else {
            if let error = result.error {
                throw ImageFileError.corrupt(source: source, reason: "its compressed image data are damaged: \(error)")
            }
            throw ImageFileError.truncated(source: source, detail: "its image data end after \(grouped(result.bytes.count)) of \(grouped(needed)) bytes")
        }
        return result.bytes
    }

    /// Undoes the per-row filters; returns `height · rowBytes` bytes.
    static func unfilter(_ raw: [UInt8], header: Header, source: String) throws -> [UInt8] {
        let rowBytes = header.rowBytes, stride = header.filterStride, height = header.height
        var out = [UInt8](repeating: 0, count: height * rowBytes)
        var badRow: (row: Int, filter: UInt8)?
        raw.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for y in 0 ..< height {
                    let filter = input[y * (rowBytes + 1)]
                    let src = y * (rowBytes + 1) + 1
                    let dst = y * rowBytes
                    let up = dst - rowBytes  // the previous row (only read when y > 0)
                    switch filter {
                    case 0:
                        for i in 0 ..< rowBytes { output[dst + i] = input[src + i] }
                    case 1:
                        for i in 0 ..< rowBytes {
                            let left = i >= stride ? output[dst + i - stride] : 0
                            output[dst + i] = input[src + i] &+ left
                        }
                    case 2:
                        for i in 0 ..< rowBytes {
                            let above = y > 0 ? output[up + i] : 0
                            output[dst + i] = input[src + i] &+ above
                        }
                    case 3:
                        for i in 0 ..< rowBytes {
                            let left = i >= stride ? Int(output[dst + i - stride]) : 0
                            let above = y > 0 ? Int(output[up + i]) : 0
                            output[dst + i] = input[src + i] &+ UInt8((left + above) / 2)
                        }
                    case 4:
                        for i in 0 ..< rowBytes {
                            let a = i >= stride ? Int(output[dst + i - stride]) : 0
                            let b = y > 0 ? Int(output[up + i]) : 0
                            let c = i >= stride && y > 0 ? Int(output[up + i - stride]) : 0
                            let p = a + b - c
                            let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                            let predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                            output[dst + i] = input[src + i] &+ UInt8(predictor)
                        }
                    default:
                        badRow = (y, filter)
                        return
                    }
                }
            }
        }
        if let badRow {
            throw ImageFileError.corrupt(source: source, reason: "row \(badRow.row + 1) uses filter type \(badRow.filter); only 0 to 4 exist")
        }
        return out
    }

    /// Unpacks the rows into samples, expanding a palette and turning `tRNS` into alpha.
    static func samples(_ rows: [UInt8], header: Header, palette: [(UInt16, UInt16, UInt16)],
                        transparency: [UInt8]?, source: String) throws -> RasterImage {
        let width = header.width, height = header.height, depth = header.bitDepth
        let stored = header.storedChannels
        let count = width * height * stored
        // Unpack to one value per sample.
        var values = [UInt16](repeating: 0, count: count)
        rows.withUnsafeBufferPointer { input in
            values.withUnsafeMutableBufferPointer { output in
                let rowBytes = header.rowBytes
                let perRow = width * stored
                for y in 0 ..< height {
                    let row = y * rowBytes, outRow = y * perRow
                    switch depth {
                    case 16:
                        for i in 0 ..< perRow {
                            output[outRow + i] = UInt16(input[row + 2 * i]) << 8 | UInt16(input[row + 2 * i + 1])
                        }
                    case 8:
                        for i in 0 ..< perRow { output[outRow + i] = UInt16(input[row + i]) }
                    default:
                        let perByte = 8 / depth, mask = UInt8((1 << depth) - 1)
                        for i in 0 ..< perRow {
                            let byte = input[row + i / perByte]
                            let shift = 8 - depth * (i % perByte + 1)
                            output[outRow + i] = UInt16((byte >> UInt8(shift)) & mask)
                        }
                    }
                }
            }
        }
        let sampleMax = (1 << depth) - 1
        switch header.colorType {
        case 3:
            let alphas = transparency ?? []
            let withAlpha = !alphas.isEmpty
            let channels: RasterImage.Channels = withAlpha ? .rgba : .rgb
            var out = [UInt16](repeating: 0, count: width * height * channels.count)
            var badIndex: Int?
            out.withUnsafeMutableBufferPointer { output in
                var o = 0
                for index in values {
                    let i = Int(index)
                    guard i < palette.count else { badIndex = i; return }
                    let colour = palette[i]
                    output[o] = colour.0; output[o + 1] = colour.1; output[o + 2] = colour.2
                    if withAlpha {
                        output[o + 3] = i < alphas.count ? UInt16(alphas[i]) : 255
                    }
                    o += channels.count
                }
            }
            if let badIndex {
                throw ImageFileError.corrupt(source: source, reason: "a pixel uses palette entry \(badIndex) but the palette has only \(palette.count) colours")
            }
            return RasterImage(width: width, height: height, channels: channels, maxValue: 255, samples: out)
        case 0, 2:
            let channels: RasterImage.Channels = header.colorType == 0 ? .gray : .rgb
            // tRNS names one colour (2 bytes per channel) that is fully transparent.
            if let key = transparency, key.count >= 2 * stored {
                let keyValues = (0 ..< stored).map { UInt16(key[2 * $0]) << 8 | UInt16(key[2 * $0 + 1]) }
                let withAlpha: RasterImage.Channels = channels == .gray ? .grayAlpha : .rgba
                var out = [UInt16]()
                out.reserveCapacity(width * height * withAlpha.count)
                for p in 0 ..< width * height {
                    let pixel = values[p * stored ..< (p + 1) * stored]
                    out.append(contentsOf: pixel)
                    out.append(pixel.elementsEqual(keyValues) ? 0 : UInt16(sampleMax))
                }
                return RasterImage(width: width, height: height, channels: withAlpha, maxValue: sampleMax, samples: out)
            }
            return RasterImage(width: width, height: height, channels: channels, maxValue: sampleMax, samples: values)
        case 4:
            return RasterImage(width: width, height: height, channels: .grayAlpha, maxValue: sampleMax, samples: values)
        default:
            return RasterImage(width: width, height: height, channels: .rgba, maxValue: sampleMax, samples: values)
        }
    }

    /// zlib's CRC-32 of a chunk's type and data.
    static func crc(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return UInt32(truncatingIfNeeded: crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}

/// Bounds-checked big-endian reads: every accessor returns `nil` past the end.
struct BigEndianReader {
    let bytes: UnsafeRawBufferPointer

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
    }
}
