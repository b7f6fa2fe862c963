import CZlib
import Foundation

/// gzip decompression through zlib's `inflate` (used for the `.gz` IDX files).
enum Gzip {
    /// Whether `bytes` start with the gzip signature `1f 8b`.
    static func hasSignature(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses a whole gzip file (several concatenated members are allowed).
    /// - Throws: ``MNISTDataError/notGzip(path:)`` or ``MNISTDataError/corruptGzip(path:reason:)``.
    static func decompress(_ input: UnsafeRawBufferPointer, path: String) throws -> Data {
        guard hasSignature(input), let inputBase = input.baseAddress else {
            throw MNISTDataError.notGzip(path: path)
        }
        // The trailer's ISIZE (size mod 2³²) is a good first guess for the output size, unless
        // it is more than deflate's best ratio (1032:1) allows, as in a file cut short.
        var capacity = max(1 << 16, 4 * input.count)
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            if isize <= 1032 * input.count { capacity = max(isize, 1 << 16) }
        }
        capacity = min(capacity, 1 << 30)

        var stream = z_stream()
        // windowBits 15 + 16: expect a gzip header and trailer (not raw zlib).
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw MNISTDataError.corruptGzip(path: path, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }

        stream.next_in = UnsafeMutablePointer(mutating: inputBase.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        // Data (not [UInt8]) because its zero-filled allocation and growth stay fast in debug builds.
        var output = Data(count: capacity)
        var produced = 0
        while true {
            if produced == output.count {
                output.count *= 2
            }
            let status: Int32 = output.withUnsafeMutableBytes { buffer in
                stream.next_out = buffer.baseAddress.map { $0.assumingMemoryBound(to: Bytef.self) + produced }
                stream.avail_out = uInt(buffer.count - produced)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced = buffer.count - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Another gzip member may follow; anything else after the end is ignored (as gzip does).
                let remaining = Int(stream.avail_in)
                if remaining >= 2, let next = stream.next_in, next[0] == 0x1f, next[1] == 0x8b {
                    guard inflateReset(&stream) == Z_OK else {
                        throw MNISTDataError.corruptGzip(path: path, reason: "zlib could not start the next gzip member")
                    }
                    continue
                }
                output.count = produced
                return output
            case Z_BUF_ERROR where stream.avail_out == 0:
                continue  // output full: grow and go on
            case Z_BUF_ERROR:
                throw MNISTDataError.corruptGzip(path: path, reason: "the compressed data ends early, after \(grouped(produced)) decompressed bytes")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw MNISTDataError.corruptGzip(path: path, reason: message)
            }
        }
    }
}
