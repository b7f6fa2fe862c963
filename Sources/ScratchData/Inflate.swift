import CZlib

/// Decompression of zlib (PNG's IDAT) and raw deflate (zip entries) data through zlib's
/// `inflate`, into a buffer of a known size, so damaged input can never make it grow without bound.
enum Inflate {
    /// What came out.
    struct Result {
        /// The bytes produced (at most the capacity asked for).
        var bytes: [UInt8]
        /// Whether the compressed stream reached its proper end.
        var streamEnded: Bool
        /// Whether the stream held more data than the capacity.
        var overflowed: Bool
        /// zlib's complaint when the data are damaged; `nil` when they merely end early.
        var error: String?
    }

    /// zlib format with its 2-byte header and Adler-32 trailer (PNG).
    static let zlibWindowBits: Int32 = 15
    /// Raw deflate, no header (zip).
    static let rawWindowBits: Int32 = -15

    /// Inflates `input` into at most `capacity` bytes.
    static func run(_ input: UnsafeRawBufferPointer, windowBits: Int32, capacity: Int) -> Result {
        var output = [UInt8](repeating: 0, count: max(0, capacity))
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return Result(bytes: [], streamEnded: false, overflowed: false, error: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var status = Z_OK
        var produced = 0
        var consumed = 0
        var overflowed = false
        let step = 1 << 30  // zlib counts in 32-bit units
        output.withUnsafeMutableBytes { out in
            while true {
                if stream.avail_in == 0, consumed < input.count, let base = input.baseAddress {
                    let chunk = min(step, input.count - consumed)
                    stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self) + consumed)
                    stream.avail_in = uInt(chunk)
                    consumed += chunk
                }
                let room = min(step, out.count - produced)
                if room > 0, let base = out.baseAddress {
                    stream.next_out = base.assumingMemoryBound(to: Bytef.self) + produced
                    stream.avail_out = uInt(room)
                    status = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                } else {
                    // The buffer is full: one more byte tells "exactly this size" from "more".
                    var spare: UInt8 = 0
                    status = withUnsafeMutablePointer(to: &spare) { pointer in
                        stream.next_out = pointer
                        stream.avail_out = 1
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    if stream.avail_out == 0 { overflowed = true; return }
                }
                // Z_OK: progress, go on. Z_BUF_ERROR: no progress possible (input used up).
                if status != Z_OK { return }
            }
        }
        output.removeLast(output.count - produced)
        var error: String?
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            error = nil
        case Z_NEED_DICT:
            error = "the data ask for a preset dictionary"
        default:
            error = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        }
        return Result(bytes: output, streamEnded: status == Z_STREAM_END, overflowed: overflowed, error: error)
    }
}
