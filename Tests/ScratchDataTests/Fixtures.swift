import Foundation
import ScratchData
import TestSupport
import XCTest

/// Small IDX files written by the tests themselves.
enum Fixtures {
    /// An IDX image file: header + `count·rows·columns` pixels, pixel `i` of the file = `pixel(i)`.
    static func images(count: Int, rows: Int = 28, columns: Int = 28, magic: UInt32 = IDXReader.imagesMagic,
                       pixel: (Int) -> UInt8 = { UInt8(truncatingIfNeeded: $0 &* 31) }) -> [UInt8] {
        bigEndian([magic, UInt32(count), UInt32(rows), UInt32(columns)]) + (0 ..< count * rows * columns).map(pixel)
    }

    /// An IDX label file.
    static func labels(_ values: [UInt8], magic: UInt32 = IDXReader.labelsMagic) -> [UInt8] {
        bigEndian([magic, UInt32(values.count)]) + values
    }

    static func bigEndian(_ words: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        for word in words {
            bytes += [UInt8(word >> 24), UInt8((word >> 16) & 0xff), UInt8((word >> 8) & 0xff), UInt8(word & 0xff)]
        }
        return bytes
    }

    /// A valid gzip file holding `payload` in stored (uncompressed) deflate blocks.
    static func gzip(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let length = min(65535, payload.count - offset)
            let last: UInt8 = offset + length == payload.count ? 1 : 0
            out.append(last)
            let len = UInt16(length), nlen = ~len
            out += [UInt8(len & 0xff), UInt8(len >> 8), UInt8(nlen & 0xff), UInt8(nlen >> 8)]
            out += payload[offset ..< offset + length]
            offset += length
        } while offset < payload.count
        let crc = crc32(payload), size = UInt32(truncatingIfNeeded: payload.count)
        for word in [crc, size] {
            out += [UInt8(word & 0xff), UInt8((word >> 8) & 0xff), UInt8((word >> 16) & 0xff), UInt8(word >> 24)]
        }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0 ..< 8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Writes a small, valid MNIST-format data set into `directory` (gzipped under the `.gz`
    /// names, or decompressed under the plain names) and returns the bytes of each file as
    /// written. Labels cycle through 0…9; the pixels hold a pattern that depends on `seed`.
    @discardableResult
    static func writeMNIST(into directory: String, trainCount: Int, testCount: Int, seed: Int = 0,
                           compressed: Bool = true) throws -> [MNISTFile: [UInt8]] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let contents: [MNISTFile: [UInt8]] = [
            .trainImages: images(count: trainCount) { UInt8(truncatingIfNeeded: $0 &+ seed) },
            .trainLabels: labels((0 ..< trainCount).map { UInt8(($0 + seed) % 10) }),
            .testImages: images(count: testCount) { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) },
            .testLabels: labels((0 ..< testCount).map { UInt8(($0 * 3 + seed) % 10) }),
        ]
        var written: [MNISTFile: [UInt8]] = [:]
        for (file, bytes) in contents {
            written[file] = compressed ? gzip(bytes) : bytes
            let name = compressed ? file.fileName : file.uncompressedFileName
            try write(written[file] ?? [], to: (directory as NSString).appendingPathComponent(name))
        }
        return written
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// The folder with the real MNIST files (`$SCRATCHNET_DATA` or `../shared/data/mnist`);
/// skips the test when neither is there.
func realMNISTDirectory() throws -> String {
    guard let directory = RepositoryPaths.mnistDirectory else {
        throw XCTSkip("the real MNIST files are not here (set SCRATCHNET_DATA or provide ../shared/data/mnist)")
    }
    return directory.path
}

/// A fresh folder under the system's temporary folder, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("scratchdata-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Asserts `body` throws an ``MNISTDataError`` and returns it.
func expectDataError<R>(_ body: () throws -> R, file: StaticString = #filePath, line: UInt = #line) -> MNISTDataError? {
    do {
        _ = try body()
        XCTFail("expected an MNISTDataError, got none", file: file, line: line)
    } catch let error as MNISTDataError {
        return error
    } catch {
        XCTFail("expected an MNISTDataError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Asserts `message` is a single line that contains each of `words`.
func assertMessage(_ message: String, contains words: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(message.contains("\n"), "message spans several lines: \(message)", file: file, line: line)
    for word in words {
        XCTAssertTrue(message.contains(word), "message lacks \"\(word)\": \(message)", file: file, line: line)
    }
}
