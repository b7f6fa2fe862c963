import CZlib
import Foundation

/// The part of the zip format (PKWARE APPNOTE.TXT) that `.npz` files use.
///
/// Writing: every entry STORED (no compression), as `numpy.savez` does, with a fixed
/// timestamp (1980-01-01 00:00) so equal arrays give byte-identical files.
/// Reading: STORED or DEFLATED entries (`numpy.savez_compressed`), ZIP64 sizes and offsets
/// (Python's `zipfile`, which numpy uses, marks every entry ZIP64), CRC-32 checked, every
/// offset and size checked against the file so a damaged archive gives an error, never a
/// crash or a runaway allocation.
///
/// Why not ZIPFoundation: on Linux its zlib module is also named `CZlib`, which clashes with
/// ScratchNet's own `CZlib` system-library target (clang: "redefinition of module 'CZlib'").
enum ZipArchive {
    /// One file in an archive.
    struct Entry: Equatable {
        var name: String
        var bytes: [UInt8]
    }

    /// Why an archive could not be read or written (turned into ``NPYError`` by ``NPZ``).
    enum Failure: Error, Equatable {
        case notZip
        case corrupt(String)
        case tooLarge(String)
    }

    private static let localHeaderSignature: UInt32 = 0x0403_4b50
    private static let centralHeaderSignature: UInt32 = 0x0201_4b50
    private static let endSignature: UInt32 = 0x0605_4b50
    private static let zip64EndSignature: UInt32 = 0x0606_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    /// DOS date 1980-01-01 (the earliest a zip can hold), time 00:00:00.
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    private static let dosTime: UInt16 = 0

    // MARK: Writing

    /// A zip archive holding `entries` STORED, in order.
    static func archive(_ entries: [Entry]) throws -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        out.reserveCapacity(entries.reduce(0) { $0 + $1.bytes.count + 30 + $1.name.utf8.count } + 22)
        for entry in entries {
            let name = Array(entry.name.utf8)
            let offset = out.count
            guard entry.bytes.count < Int(UInt32.max), offset < Int(UInt32.max), name.count <= Int(UInt16.max) else {
                throw Failure.tooLarge("the entry \(entry.name) or the archive before it is 4 GiB or more, which needs ZIP64")
            }
            let crc = crc32(of: entry.bytes)
            let size = UInt32(entry.bytes.count)
            let flags: UInt16 = name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800  // bit 11: the name is UTF-8
            // Local file header.
            put32(localHeaderSignature, &out)
            put16(20, &out)  // version needed to extract: 2.0
            put16(flags, &out)
            put16(0, &out)  // method: stored
            put16(dosTime, &out)
            put16(dosDate, &out)
            put32(crc, &out)
            put32(size, &out)
            put32(size, &out)
            put16(UInt16(name.count), &out)
            put16(0, &out)  // extra field length
            out += name
            out += entry.bytes
            // Central directory header.
            put32(centralHeaderSignature, &central)
            put16(3 << 8 | 20, &central)  // made by: Unix, version 2.0
            put16(20, &central)
            put16(flags, &central)
            put16(0, &central)
            put16(dosTime, &central)
            put16(dosDate, &central)
            put32(crc, &central)
            put32(size, &central)
            put32(size, &central)
            put16(UInt16(name.count), &central)
            put16(0, &central)  // extra
            put16(0, &central)  // comment
            put16(0, &central)  // disk number start
            put16(0, &central)  // internal attributes
            put32(0o100644 << 16, &central)  // external attributes: a regular file, rw-r--r--
            put32(UInt32(offset), &central)
            central += name
        }
        let centralOffset = out.count
        guard entries.count < Int(UInt16.max), centralOffset < Int(UInt32.max), central.count < Int(UInt32.max) else {
            throw Failure.tooLarge("the archive is 4 GiB or more, or holds 65,535 entries or more, which needs ZIP64")
        }
        out += central
        put32(endSignature, &out)
        put16(0, &out)  // this disk
        put16(0, &out)  // disk with the central directory
        put16(UInt16(entries.count), &out)
        put16(UInt16(entries.count), &out)
        put32(UInt32(central.count), &out)
        put32(UInt32(centralOffset), &out)
        put16(0, &out)  // comment length
        return out
    }

    // MARK: Reading

    /// The entries of a zip archive (folders skipped), in central-directory order.
    static func entries(of bytes: UnsafeRawBufferPointer) throws -> [Entry] {
        let reader = ByteReader(bytes: bytes)
        guard let end = findEndRecord(reader) else {
            if bytes.count >= 4, reader.u32(0) == localHeaderSignature {
                throw Failure.corrupt("its end-of-archive record is missing, so the file is cut short")
            }
            throw Failure.notZip
        }
        var count = UInt64(reader.u16(end + 10) ?? 0)
        var directorySize = UInt64(reader.u32(end + 12) ?? 0)
        var directoryOffset = UInt64(reader.u32(end + 16) ?? 0)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
           end >= 20, reader.u32(end - 20) == zip64LocatorSignature {
            guard let recordOffset = reader.u64(end - 12).flatMap(Int.init(exactly:)),
                  reader.u32(recordOffset) == zip64EndSignature,
                  let zip64Count = reader.u64(recordOffset + 32),
                  let zip64Size = reader.u64(recordOffset + 40),
                  let zip64Offset = reader.u64(recordOffset + 48) else {
                throw Failure.corrupt("its ZIP64 end-of-archive record is damaged")
            }
            (count, directorySize, directoryOffset) = (zip64Count, zip64Size, zip64Offset)
        }
        guard let start = Int(exactly: directoryOffset), let size = Int(exactly: directorySize),
              start <= bytes.count, size <= bytes.count - start else {
            throw Failure.corrupt("its central directory lies outside the file")
        }
        // Each central-directory header takes at least 46 bytes.
        guard count <= UInt64(size / 46 + 1) else {
            throw Failure.corrupt("it claims \(count) entries, more than its central directory can hold")
        }
        var entries: [Entry] = []
        var position = start
        for index in 0 ..< Int(count) {
            guard reader.u32(position) == centralHeaderSignature,
                  let flags = reader.u16(position + 8),
                  let method = reader.u16(position + 10),
                  let crc = reader.u32(position + 16),
                  let compressed32 = reader.u32(position + 20),
                  let uncompressed32 = reader.u32(position + 24),
                  let nameLength = reader.u16(position + 28).map(Int.init),
                  let extraLength = reader.u16(position + 30).map(Int.init),
                  let commentLength = reader.u16(position + 32).map(Int.init),
                  let offset32 = reader.u32(position + 42),
                  let nameBytes = reader.slice(position + 46, nameLength),
                  let extra = reader.slice(position + 46 + nameLength, extraLength) else {
                throw Failure.corrupt("central directory entry \(index + 1) of \(count) is damaged")
            }
            let name = decodeName(nameBytes)
            var compressed = UInt64(compressed32), uncompressed = UInt64(uncompressed32), offset = UInt64(offset32)
            try applyZip64(extra, uncompressed: &uncompressed, compressed: &compressed, offset: &offset, entry: name)
            position += 46 + nameLength + extraLength + commentLength
            if name.hasSuffix("/") { continue }  // a folder
            guard flags & 0x0001 == 0 else {
                throw Failure.corrupt("the entry \(name) is encrypted, which .npz files never are")
            }
            let data = try entryData(reader, name: name, localOffset: offset, compressedSize: compressed)
            let content: [UInt8]
            switch method {
            case 0:
                guard compressed == uncompressed else {
                    throw Failure.corrupt("the stored entry \(name) has different compressed and uncompressed sizes")
                }
                content = Array(data)
            case 8:
                content = try inflateRaw(data, expectedSize: uncompressed, entry: name)
            default:
                throw Failure.corrupt("the entry \(name) uses compression method \(method) (\(methodName(method))), but .npz files are stored or deflated")
            }
            guard crc32(of: content) == crc else {
                throw Failure.corrupt("the entry \(name) fails its CRC-32 check")
            }
            entries.append(Entry(name: name, bytes: content))
        }
        return entries
    }

    /// The position of the end-of-central-directory record (searched from the end, past a comment of up to 64 KiB).
    private static func findEndRecord(_ reader: ByteReader) -> Int? {
        let count = reader.bytes.count
        guard count >= 22 else { return nil }
        var position = count - 22
        let lowest = max(0, count - 22 - 0xFFFF)
        while position >= lowest {
            if reader.u32(position) == endSignature,
               let commentLength = reader.u16(position + 20), position + 22 + Int(commentLength) <= count {
                return position
            }
            position -= 1
        }
        return nil
    }

    /// Replaces 0xFFFFFFFF sizes and offset with their values from a ZIP64 extra field (id 0x0001).
    private static func applyZip64(_ extra: UnsafeRawBufferPointer, uncompressed: inout UInt64,
                                   compressed: inout UInt64, offset: inout UInt64, entry: String) throws {
        guard uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF else { return }
        let reader = ByteReader(bytes: extra)
        var position = 0
        while let id = reader.u16(position), let length = reader.u16(position + 2).map(Int.init) {
            if id == 0x0001 {
                var field = position + 4
                let fieldEnd = field + length
                func next() throws -> UInt64 {
                    guard field + 8 <= fieldEnd, let value = reader.u64(field) else {
                        throw Failure.corrupt("the ZIP64 field of the entry \(entry) is damaged")
                    }
                    field += 8
                    return value
                }
                // The field holds only the values whose 32-bit slots are 0xFFFFFFFF, in this order.
                if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                if compressed == 0xFFFF_FFFF { compressed = try next() }
                if offset == 0xFFFF_FFFF { offset = try next() }
                return
            }
            position += 4 + length
        }
        throw Failure.corrupt("the entry \(entry) lacks the ZIP64 field its sizes refer to")
    }

    /// The compressed bytes of an entry, found through its local header.
    private static func entryData(_ reader: ByteReader, name: String, localOffset: UInt64,
                                  compressedSize: UInt64) throws -> UnsafeRawBufferPointer {
        guard let offset = Int(exactly: localOffset), reader.u32(offset) == localHeaderSignature,
              let nameLength = reader.u16(offset + 26), let extraLength = reader.u16(offset + 28) else {
            throw Failure.corrupt("the local header of the entry \(name) is missing or damaged")
        }
        let start = offset + 30 + Int(nameLength) + Int(extraLength)
        guard let size = Int(exactly: compressedSize), let data = reader.slice(start, size) else {
            throw Failure.corrupt("the data of the entry \(name) run past the end of the file, so it is cut short")
        }
        return data
    }

    /// Inflates raw deflate data that must produce exactly `expectedSize` bytes.
    private static func inflateRaw(_ input: UnsafeRawBufferPointer, expectedSize: UInt64, entry: String) throws -> [UInt8] {
        // Deflate cannot expand data more than about 1032:1; a larger claim is damage.
        guard let size = Int(exactly: expectedSize), expectedSize <= UInt64(input.count) * 1032 + 1024 else {
            throw Failure.corrupt("the entry \(entry) claims an impossible uncompressed size of \(expectedSize) bytes")
        }
        let result = Inflate.run(input, windowBits: Inflate.rawWindowBits, capacity: size)
        if let error = result.error {
            throw Failure.corrupt("the entry \(entry) cannot be decompressed (\(error))")
        }
        guard result.streamEnded, !result.overflowed, result.bytes.count == size else {
            let problem = result.overflowed || result.bytes.count > size ? "its deflated data hold more than its recorded size"
                : result.streamEnded ? "its deflated data hold less than its recorded size" : "its deflated data end early"
            throw Failure.corrupt("the entry \(entry) cannot be decompressed: \(problem)")
        }
        return result.bytes
    }

    private static func methodName(_ method: UInt16) -> String {
        switch method {
        case 9: return "deflate64"
        case 12: return "bzip2"
        case 14: return "LZMA"
        case 93: return "Zstandard"
        case 95: return "XZ"
        default: return "unknown"
        }
    }

    /// Entry names are UTF-8 when flag bit 11 is set and usually ASCII otherwise; code page 437
    /// is approximated by Latin-1 for the rare other bytes.
    private static func decodeName(_ bytes: UnsafeRawBufferPointer) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// zlib's CRC-32 of `bytes`.
    static func crc32(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            var crc: uLong = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < raw.count, let base = raw.baseAddress {
                let chunk = min(1 << 30, raw.count - offset)
                crc = CZlib.crc32(crc, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    private static func put16(_ value: UInt16, _ out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    private static func put32(_ value: UInt32, _ out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// Bounds-checked little-endian reads: every accessor returns `nil` past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer

    func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        var value: UInt32 = 0
        for i in 0 ..< 4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        return value
    }

    func u64(_ offset: Int) -> UInt64? {
        guard offset >= 0, offset <= bytes.count - 8 else { return nil }
        var value: UInt64 = 0
        for i in 0 ..< 8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return value
    }

    func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + count])
    }
}
