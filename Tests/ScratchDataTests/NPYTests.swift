import Foundation
import ScratchData
import ScratchTensor
import TestSupport
import XCTest

final class NPYTests: XCTestCase {
    // MARK: Round trips

    func testRoundTripOfEveryDType() throws {
        let arrays: [NPYArray] = [
            .float32(shape: [2, 3], [0, 1.5, -2.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]),
            .float64(shape: [3], [Double.pi, -1e300, .leastNonzeroMagnitude]),
            .int64(shape: [2, 2], [0, -1, Int64.max, Int64.min]),
            .uint8(shape: [2, 1, 2], [0, 1, 128, 255]),
            .float64(shape: [], [42.5]),
            .string("hello"),
            .string("日本語 E資格 🙂"),
        ]
        for array in arrays {
            let bytes = try NPY.encode(array)
            XCTAssertEqual(Array(bytes.prefix(6)), NPY.magic)
            XCTAssertEqual(headerLength(bytes) % 64, 0, "data must start at a multiple of 64 bytes for \(array)")
            XCTAssertEqual(try NPY.decode(bytes), array)
        }
    }

    func testEmptyArraysAndEmptyString() throws {
        for array: NPYArray in [.float32(shape: [0], []), .float64(shape: [2, 0], []), .int64(shape: [0, 3], []),
                                .uint8(shape: [0], []), .string("")] {
            XCTAssertEqual(try NPY.decode(try NPY.encode(array)), array)
        }
        // NumPy stores '' as a '<U1' holding one NUL.
        let empty = try NPY.encode(.string(""))
        XCTAssertTrue(String(decoding: empty, as: UTF8.self).contains("'descr': '<U1'"))
        XCTAssertEqual(Array(empty.suffix(4)), [0, 0, 0, 0])
    }

    func testWriteAndReadFile() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("x.npy")
        let array = NPYArray.float32(shape: [2, 2], [1, 2, 3, 4])
        try NPY.write(array, to: url)
        try NPY.write(array, to: url)  // overwriting works
        XCTAssertEqual(try NPY.read(from: url), array)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["x.npy"], "no temporary file left behind")
    }

    // MARK: Header bytes, as NumPy writes them

    /// `np.save(f, np.arange(6, dtype='<f4').reshape(2, 3))` with NumPy 2.x, byte for byte.
    func testHeaderMatchesNumPyByteForByte() throws {
        var expected: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0x00]
        expected += Array("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".utf8)
        expected += [UInt8](repeating: 0x20, count: 58) + [0x0A]
        expected += hexBytes("000000000000803f0000004000004040000080400000a040")
        XCTAssertEqual(expected.count, 152)
        let bytes = try NPY.encode(.float32(shape: [2, 3], [0, 1, 2, 3, 4, 5]))
        XCTAssertEqual(bytes, expected)
    }

    /// `np.save(f, np.array('hello'))`: a 0-d '<U5' array, 148 bytes.
    func testZeroDimensionalStringMatchesNumPy() throws {
        var expected: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0x00]
        expected += Array("{'descr': '<U5', 'fortran_order': False, 'shape': (), }".utf8)
        expected += [UInt8](repeating: 0x20, count: 62) + [0x0A]
        expected += hexBytes("68000000650000006c0000006c0000006f000000")
        XCTAssertEqual(try NPY.encode(.string("hello")), expected)
    }

    /// `np.save(f, np.arange(3, dtype=np.uint8))` and a 0-d float64.
    func testOtherHeadersMatchNumPy() throws {
        let uint8 = try NPY.encode(.uint8(shape: [3], [0, 1, 2]))
        XCTAssertEqual(uint8.count, 131)
        XCTAssertEqual(String(decoding: uint8[10 ..< 128], as: UTF8.self),
                       "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }" + String(repeating: " ", count: 60) + "\n")
        let scalar = try NPY.encode(.float64(shape: [], [3.5]))
        XCTAssertEqual(scalar.count, 136)
        XCTAssertEqual(Array(scalar.suffix(8)), hexBytes("0000000000000c40"))
    }

    func testReadsVersion2And3HeadersAndBigEndian() throws {
        // Version 2.0: 4-byte header length.
        let dict2 = "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"
        var v2: [UInt8] = NPY.magic + [2, 0]
        let text2 = Array(dict2.utf8) + [UInt8](repeating: 0x20, count: 64 - (12 + dict2.utf8.count + 1) % 64) + [0x0A]
        v2 += [UInt8(text2.count & 0xff), UInt8(text2.count >> 8), 0, 0] + text2
        v2 += hexBytes("3ff0000000000000c000000000000000")  // 1.0, -2.0 big-endian
        XCTAssertEqual(try NPY.decode(v2), .float64(shape: [2], [1, -2]))

        // Version 3.0: UTF-8 header (here with a Python 2 style long and a double-quoted key).
        let dict3 = "{\"descr\": '<i8', 'fortran_order': False, 'shape': (1L,), } "
        var v3: [UInt8] = NPY.magic + [3, 0]
        let text3 = Array(dict3.utf8) + [0x0A]
        v3 += [UInt8(text3.count), 0, 0, 0] + text3 + [7, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(try NPY.decode(v3), .int64(shape: [1], [7]))
    }

    // MARK: Tensors

    func testTensorConversions() throws {
        let tensor = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
        let array = NPYArray(tensor)
        XCTAssertEqual(array, .float32(shape: [2, 2], [1, 2, 3, 4]))
        XCTAssertEqual(try array.tensor(Float.self), tensor)
        XCTAssertEqual(try array.tensor(Double.self), Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(NPYArray(Tensor<Double>([0.5])), .float64(shape: [1], [0.5]))
        XCTAssertEqual(try NPYArray.float64(shape: [1], [0.1]).tensor(Float.self).scalars, [Float(0.1)])
        XCTAssertEqual(try NPYArray.int64(shape: [2], [3, -4]).tensor(Float.self), Tensor<Float>([3, -4]))
        XCTAssertEqual(try NPYArray.uint8(shape: [], [255]).tensor(Float.self), Tensor<Float>(shape: [], scalars: [255]))
        XCTAssertThrowsError(try NPYArray.string("x").tensor(Float.self, name: "note")) { error in
            XCTAssertEqual(error as? NPYError, .notNumeric(name: "note"))
        }
        XCTAssertThrowsError(try NPYArray.float32(shape: [3], [1]).tensor(Float.self))
        XCTAssertThrowsError(try NPY.encode(.float32(shape: [2, 2], [1, 2, 3]), name: "W1")) { error in
            XCTAssertEqual(error as? NPYError, .countMismatch(name: "W1", shape: [2, 2], count: 3))
            XCTAssertTrue("\(error)".contains("W1"))
        }
    }

    // MARK: Errors

    func testTruncatedFiles() throws {
        let bytes = try NPY.encode(.float32(shape: [4], [1, 2, 3, 4]))
        // Cut in the data.
        XCTAssertThrowsError(try NPY.decode(Array(bytes.dropLast(3)), source: "x.npy")) { error in
            XCTAssertEqual(error as? NPYError, .truncatedData(source: "x.npy", needed: 16, available: 13))
            assertSentence(error, mentions: ["x.npy", "truncated", "16"])
        }
        // Cut anywhere in the header.
        for length in [0, 3, 6, 8, 9, 10, 40, 127] {
            XCTAssertThrowsError(try NPY.decode(Array(bytes.prefix(length)), source: "x.npy"), "length \(length)") { error in
                guard let error = error as? NPYError else { return XCTFail("\(error)") }
                switch error {
                case .truncatedHeader: break
                default: XCTFail("length \(length): \(error)")
                }
            }
        }
    }

    func testBadMagicVersionAndHeader() throws {
        XCTAssertThrowsError(try NPY.decode(Array("PK\u{3}\u{4} not npy".utf8), source: "a.npy")) { error in
            XCTAssertEqual(error as? NPYError, .notNPY(source: "a.npy"))
            assertSentence(error, mentions: ["a.npy", "not a NumPy .npy file"])
        }
        var bytes = try NPY.encode(.uint8(shape: [1], [1]))
        bytes[6] = 4
        XCTAssertThrowsError(try NPY.decode(bytes)) { error in
            XCTAssertEqual(error as? NPYError, .unsupportedVersion(source: "the .npy data", major: 4, minor: 0))
        }
        for header in ["{'descr': '<f4', 'shape': (2,), }",                          // key missing
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }",   // not a tuple
                       "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",      // not a bool
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", // negative
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ",   // unclosed
                       "['descr', '<f4']"] {
            XCTAssertThrowsError(try NPY.decode(makeNPY(header: header, data: [0, 0, 0, 0, 0, 0, 0, 0])), header) { error in
                guard case .malformedHeader? = error as? NPYError else { return XCTFail("\(header): \(error)") }
                assertSentence(error, mentions: ["malformed .npy header"])
            }
        }
    }

    func testFortranOrderIsRejected() throws {
        let bytes = makeNPY(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data: [UInt8](repeating: 0, count: 16))
        XCTAssertThrowsError(try NPY.decode(bytes, source: "w.npy")) { error in
            XCTAssertEqual(error as? NPYError, .fortranOrder(source: "w.npy"))
            assertSentence(error, mentions: ["w.npy", "Fortran", "np.ascontiguousarray"])
        }
    }

    func testUnsupportedDTypesAreNamed() throws {
        let bytes = makeNPY(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8))
        XCTAssertThrowsError(try NPY.decode(bytes, source: "z.npy")) { error in
            XCTAssertEqual(error as? NPYError, .unsupportedDType(source: "z.npy", descr: "<c8"))
            assertSentence(error, mentions: ["z.npy", "'<c8'", "complex64", "'<f4'", "'<f8'", "'<i8'", "'|u1'", "'<U"])
        }
        for descr in ["<i4", "|b1", "<f2", "|O", "<u2"] {
            let other = makeNPY(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (), }", data: [0, 0, 0, 0, 0, 0, 0, 0])
            XCTAssertThrowsError(try NPY.decode(other)) { error in
                XCTAssertEqual(error as? NPYError, .unsupportedDType(source: "the .npy data", descr: descr))
            }
        }
        // A structured dtype is a list, reported as unsupported too.
        let structured = makeNPY(header: "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8))
        XCTAssertThrowsError(try NPY.decode(structured)) { error in
            guard case .unsupportedDType(_, let descr)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(descr, "[('x', '<f4'), ('y', '<f4')]")
        }
        // Strings must be 0-d.
        let strings = makeNPY(header: "{'descr': '<U1', 'fortran_order': False, 'shape': (2,), }", data: [UInt8](repeating: 0x41, count: 8))
        XCTAssertThrowsError(try NPY.decode(strings)) { error in
            XCTAssertEqual(error as? NPYError, .unsupportedStringShape(source: "the .npy data", shape: [2]))
        }
    }

    func testDamagedBytesNeverCrash() throws {
        let arrays: [NPYArray] = [.float32(shape: [2, 3], [1, 2, 3, 4, 5, 6]), .string("abc"), .int64(shape: [], [5])]
        for array in arrays {
            let good = try NPY.encode(array)
            for index in 0 ..< good.count {
                for delta: UInt8 in [1, 0x80, 0xFF] {
                    var damaged = good
                    damaged[index] = damaged[index] &+ delta
                    _ = try? NPY.decode(damaged)
                }
            }
        }
        // Hostile headers: deep nesting, huge numbers, shapes that overflow.
        for header in [String(repeating: "(", count: 10_000), "{'shape': (9999999999999999999999,)}",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
                       "{'descr': '<U9223372036854775807', 'fortran_order': False, 'shape': (), }",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807,), }"] {
            XCTAssertThrowsError(try NPY.decode(makeNPY(header: header, data: [1, 2, 3])), String(header.prefix(40)))
        }
    }

    func testMissingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/scratchnet/x.npy")
        XCTAssertThrowsError(try NPY.read(from: url)) { error in
            XCTAssertEqual(error as? NPYError, .fileNotFound(path: url.path))
        }
        XCTAssertThrowsError(try NPY.write(.uint8(shape: [0], []), to: url)) { error in
            guard case .unwritable? = error as? NPYError else { return XCTFail("\(error)") }
        }
    }

    // MARK: Helpers

    private func headerLength(_ bytes: [UInt8]) -> Int {
        10 + Int(bytes[8]) + Int(bytes[9]) << 8
    }

    private func makeNPY(header: String, data: [UInt8]) -> [UInt8] {
        let text = Array(header.utf8) + [0x0A]
        return NPY.magic + [1, 0, UInt8(text.count & 0xff), UInt8(text.count >> 8)] + text + data
    }
}

/// Bytes from a hex string such as "00ff10".
func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
        bytes.append(UInt8(hex[index ..< next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

/// Checks that an error's message is one sentence holding each of `fragments`.
func assertSentence(_ error: Error, mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
    XCTAssertEqual(message, "\(error)", "description and errorDescription agree", file: file, line: line)
    XCTAssertTrue(message.hasSuffix("."), "ends as a sentence: \(message)", file: file, line: line)
    XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
    for fragment in fragments {
        XCTAssertTrue(message.contains(fragment), "\"\(message)\" should mention \(fragment)", file: file, line: line)
    }
}
