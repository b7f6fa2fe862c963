import CZlib
import Foundation

/// A tiny PNG encoder for the decoder tests: any colour type and bit depth, a chosen filter per
/// row, IDAT compressed with zlib's `compress` and split into chunks of a chosen size.
struct TestPNG {
    var width: Int
    var height: Int
    var colorType: UInt8
    var bitDepth: UInt8
    /// Samples row-major, `channels` per pixel (palette indices for colour type 3).
    var samples: [Int]
    var palette: [UInt8] = []
    var transparency: [UInt8]?
    var interlace: UInt8 = 0
    /// Filter type of row `y`; default cycles through all five.
    var filter: (Int) -> UInt8 = { UInt8($0 % 5) }
    /// Bytes per IDAT chunk.
    var idatChunkSize = Int.max
    /// Extra chunks written after IHDR (type, data).
    var extraChunks: [(String, [UInt8])] = []

    var channels: Int {
        switch colorType {
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 1
        }
    }

    /// Row bytes of packed samples (no filter byte).
    func packedRow(_ y: Int) -> [UInt8] {
        let perRow = width * channels
        let row = samples[y * perRow ..< (y + 1) * perRow]
        switch bitDepth {
        case 16: return row.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
        case 8: return row.map { UInt8($0) }
        default:
            let depth = Int(bitDepth), perByte = 8 / depth
            var bytes = [UInt8](repeating: 0, count: (perRow * depth + 7) / 8)
            for (i, value) in row.enumerated() {
                bytes[i / perByte] |= UInt8(value << (8 - depth * (i % perByte + 1)))
            }
            return bytes
        }
    }

    /// The filtered scanlines: filter byte + filtered row bytes, row after row.
    func filteredData() -> [UInt8] {
        let bpp = max(1, channels * Int(bitDepth) / 8)
        var out: [UInt8] = []
        var prior = [UInt8](repeating: 0, count: packedRow(0).count)
        for y in 0 ..< height {
            let raw = packedRow(y)
            let type = filter(y)
            out.append(type)
            for i in 0 ..< raw.count {
                let a = i >= bpp ? Int(raw[i - bpp]) : 0
                let b = Int(prior[i])
                let c = i >= bpp ? Int(prior[i - bpp]) : 0
                let predictor: Int
                switch type {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                out.append(raw[i] &- UInt8(predictor & 0xff))
            }
            prior = raw
        }
        return out
    }

    func encoded() -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, interlace]
        png += chunk("IHDR", ihdr)
        for (type, data) in extraChunks { png += chunk(type, data) }
        if !palette.isEmpty { png += chunk("PLTE", palette) }
        if let transparency { png += chunk("tRNS", transparency) }
        let compressed = zlibCompress(filteredData())
        var offset = 0
        repeat {
            let end = min(compressed.count, offset + max(1, min(idatChunkSize, compressed.count)))
            png += chunk("IDAT", Array(compressed[offset ..< end]))
            offset = end
        } while offset < compressed.count
        png += chunk("IEND", [])
        return png
    }

    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(Fixtures.crc32(typeBytes + data))
    }

    func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    func zlibCompress(_ input: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = compress(&output, &length, input, uLong(input.count))
        precondition(status == Z_OK, "zlib compress failed: \(status)")
        return Array(output.prefix(Int(length)))
    }
}

/// Deterministic pseudo-random samples (SplitMix64) for test images.
struct TestRandom {
    var state: UInt64

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
