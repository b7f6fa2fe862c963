import Foundation
import ScratchData
import ScratchTensor
import TestSupport
import XCTest

final class NPZTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private var sample: [NPZ.NamedArray] {
        [
            (name: "W1", array: .float32(shape: [2, 3], [0.5, -1, 2, 3.25, 4, -5])),
            (name: "b1", array: .float64(shape: [3], [0.1, 0.2, 0.3])),
            (name: "step", array: .int64(shape: [], [1234])),
            (name: "pixels", array: .uint8(shape: [2, 2], [0, 64, 128, 255])),
            (name: "empty", array: .float32(shape: [0, 4], [])),
            (name: "config", array: .string("{\"layers\": [784, 100, 10]}")),
            (name: "日本語", array: .uint8(shape: [1], [7])),
        ]
    }

    func testRoundTripKeepsOrderAndNames() throws {
        let url = folder.appendingPathComponent("model.npz")
        try NPZ.write(sample, to: url)
        let read = try NPZ.read(from: url)
        XCTAssertEqual(read.map(\.name), sample.map(\.name))
        XCTAssertEqual(read.map(\.array), sample.map(\.array))
        XCTAssertEqual(try NPZ.read("b1", from: url), sample[1].array)
        XCTAssertThrowsError(try NPZ.read("W9", from: url)) { error in
            guard case .missingArray(_, "W9", let available)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(available, sample.map(\.name))
            assertSentence(error, mentions: ["model.npz", "W9", "W1, b1"])
        }
        // Entries are STORED, named <name>.npy, in order.
        let bytes = try Array(Data(contentsOf: url))
        XCTAssertEqual(Array(bytes.prefix(4)), [0x50, 0x4B, 0x03, 0x04])
        XCTAssertEqual(bytes[8], 0, "compression method: stored")
        XCTAssertEqual(String(decoding: bytes[30 ..< 36], as: UTF8.self), "W1.npy")
    }

    func testWriteIsAtomicAndDeterministic() throws {
        let url = folder.appendingPathComponent("a.npz")
        try NPZ.write(sample, to: url)
        let first = try Data(contentsOf: url)
        try NPZ.write(sample, to: url)
        XCTAssertEqual(try Data(contentsOf: url), first, "equal arrays give identical files")
        try NPZ.write([(name: "x", array: .uint8(shape: [1], [1]))], to: url)
        XCTAssertEqual(try NPZ.read(from: url).map(\.name), ["x"], "the old file is replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["a.npz"], "no temporary file left")
        // A folder that does not exist: an error, and nothing written.
        XCTAssertThrowsError(try NPZ.write(sample, to: folder.appendingPathComponent("no/such/b.npz"))) { error in
            guard case .unwritable? = error as? NPYError else { return XCTFail("\(error)") }
        }
    }

    func testInvalidNames() {
        XCTAssertThrowsError(try NPZ.encode([(name: "", array: .uint8(shape: [0], []))])) { error in
            guard case .invalidName? = error as? NPYError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try NPZ.encode([(name: "a", array: .uint8(shape: [0], [])), (name: "a", array: .string("x"))])) { error in
            guard case .invalidName(let name, _)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "a")
        }
    }

    // MARK: Errors

    func testNotAZipAndCorruptZips() throws {
        XCTAssertThrowsError(try NPZ.decode(Array("definitely not a zip file, just text".utf8), source: "t.npz")) { error in
            XCTAssertEqual(error as? NPYError, .notZip(source: "t.npz"))
            assertSentence(error, mentions: ["t.npz", "not an .npz file"])
        }
        XCTAssertThrowsError(try NPZ.decode([], source: "e.npz")) { error in
            XCTAssertEqual(error as? NPYError, .notZip(source: "e.npz"))
        }
        let good = try NPZ.encode(sample)
        // Cut short anywhere: an error, never a crash.
        for length in stride(from: 0, to: good.count, by: 7) {
            XCTAssertThrowsError(try NPZ.decode(Array(good.prefix(length)), source: "cut.npz"), "length \(length)")
        }
        XCTAssertThrowsError(try NPZ.decode(Array(good.prefix(good.count / 2)), source: "half.npz")) { error in
            guard case .corruptZip("half.npz", let reason)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("cut short"), reason)
            assertSentence(error, mentions: ["half.npz", "damaged"])
        }
        // A flipped data byte fails the CRC check and names the entry.
        var flipped = good
        flipped[30 + 6 + 130] ^= 0xFF
        XCTAssertThrowsError(try NPZ.decode(flipped, source: "f.npz")) { error in
            guard case .corruptZip(_, let reason)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("W1.npy") && reason.contains("CRC"), reason)
        }
        // Every single damaged byte: an error or (in unchecked fields) a result, never a crash or hang.
        for index in stride(from: 0, to: good.count, by: 3) {
            var damaged = good
            damaged[index] = damaged[index] &+ 0x55
            _ = try? NPZ.decode(damaged)
        }
    }

    func testEntryThatIsNotNPYIsNamed() throws {
        let zip = try storedZip([("notes.npy", Array("hello".utf8))])
        XCTAssertThrowsError(try NPZ.decode(zip, source: "m.npz")) { error in
            XCTAssertEqual((error as? NPYError).map { if case .invalidEntry(_, let entry, _) = $0 { return entry } else { return "" } }, "notes.npy")
            assertSentence(error, mentions: ["m.npz (entry notes.npy)", "not a NumPy .npy file"])
        }
        let complex = NPY.header(descr: "<c8", shape: [1]) + [UInt8](repeating: 0, count: 8)
        XCTAssertThrowsError(try NPZ.decode(try storedZip([("z.npy", complex)]), source: "c.npz")) { error in
            assertSentence(error, mentions: ["c.npz (entry z.npy)", "'<c8'", "complex64", "'<f4'"])
        }
        let truncated = Array(try NPY.encode(.float64(shape: [4], [1, 2, 3, 4])).dropLast(8))
        XCTAssertThrowsError(try NPZ.decode(try storedZip([("t.npy", truncated)]), source: "t.npz")) { error in
            assertSentence(error, mentions: ["t.npz (entry t.npy)", "truncated", "32 bytes"])
        }
    }

    // MARK: NumPy interoperability

    func testNumPyReadsWhatSwiftWrites() throws {
        try requireNumPy()
        let url = folder.appendingPathComponent("swift.npz")
        try NPZ.write(sample, to: url)
        let output = try python("""
            import numpy as np, sys
            with np.load(sys.argv[1]) as z:
                for name in z.files:
                    a = z[name]
                    print(name, a.dtype.str, a.shape, a.tolist())
            """, url.path)
        XCTAssertEqual(output.split(separator: "\n").map(String.init), [
            "W1 <f4 (2, 3) [[0.5, -1.0, 2.0], [3.25, 4.0, -5.0]]",
            "b1 <f8 (3,) [0.1, 0.2, 0.3]",
            "step <i8 () 1234",
            "pixels |u1 (2, 2) [[0, 64], [128, 255]]",
            "empty <f4 (0, 4) []",
            "config <U26 () {\"layers\": [784, 100, 10]}",
            "日本語 |u1 (1,) [7]",
        ])
    }

    func testSwiftReadsWhatNumPyWrites() throws {
        try requireNumPy()
        for (function, file) in [("savez", "plain.npz"), ("savez_compressed", "compressed.npz")] {
            let url = folder.appendingPathComponent(file)
            _ = try python("""
                import numpy as np, sys
                np.\(function)(sys.argv[1],
                    W1=np.arange(12, dtype=np.float32).reshape(3, 4) / 8,
                    b1=np.array([0.1, -0.2], dtype=np.float64),
                    labels=np.array([7, 2, 1, 0], dtype=np.int64),
                    img=np.arange(6, dtype=np.uint8).reshape(2, 3),
                    big=np.linspace(0, 1, 10000, dtype=np.float32),
                    s=np.array('ScratchNet'),
                    zero=np.zeros((0,), dtype=np.float64),
                    be=np.array([1.5, 2.5], dtype='>f8'))
                """, url.path)
            let arrays = try NPZ.read(from: url)
            XCTAssertEqual(arrays.map(\.name), ["W1", "b1", "labels", "img", "big", "s", "zero", "be"], function)
            let byName = Dictionary(uniqueKeysWithValues: arrays.map { ($0.name, $0.array) })
            XCTAssertEqual(byName["W1"], .float32(shape: [3, 4], (0 ..< 12).map { Float($0) / 8 }), function)
            XCTAssertEqual(byName["b1"], .float64(shape: [2], [0.1, -0.2]), function)
            XCTAssertEqual(byName["labels"], .int64(shape: [4], [7, 2, 1, 0]), function)
            XCTAssertEqual(byName["img"], .uint8(shape: [2, 3], [0, 1, 2, 3, 4, 5]), function)
            XCTAssertEqual(byName["s"], .string("ScratchNet"), function)
            XCTAssertEqual(byName["zero"], .float64(shape: [0], []), function)
            XCTAssertEqual(byName["be"], .float64(shape: [2], [1.5, 2.5]), function)
            let big = try XCTUnwrap(byName["big"]).tensor(Float.self)
            XCTAssertEqual(big.shape, [10000])
            XCTAssertEqual(big.scalars.first, 0)
            XCTAssertEqual(big.scalars.last, 1)
        }
    }

    // MARK: Helpers

    /// A minimal STORED zip written by hand (for entries ScratchData would refuse to write).
    private func storedZip(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func le32(_ v: UInt32) -> [UInt8] { (0 ..< 4).map { UInt8(v >> (8 * UInt32($0)) & 0xff) } }
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, bytes) in files {
            let nameBytes = Array(name.utf8), crc = Fixtures.crc32(bytes), size = UInt32(bytes.count)
            let offset = UInt32(out.count)
            out += le32(0x0403_4b50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            out += le32(crc) + le32(size) + le32(size) + le16(nameBytes.count) + le16(0) + nameBytes + bytes
            central += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            central += le32(crc) + le32(size) + le32(size) + le16(nameBytes.count) + le16(0) + le16(0)
            central += le16(0) + le16(0) + le32(0) + le32(offset) + nameBytes
        }
        let centralOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(files.count) + le16(files.count)
        out += le32(UInt32(central.count)) + le32(centralOffset) + le16(0)
        return out
    }
}

// MARK: - Python subprocess

/// Runs `python3 -c script args...` and returns its standard output; fails on a non-zero exit.
func python(_ script: String, _ arguments: String...) throws -> String {
    try python(script, arguments)
}

func python(_ script: String, _ arguments: [String]) throws -> String {
    let result = try runPython(["-c", script] + arguments)
    guard result.status == 0 else {
        throw NSError(domain: "python3", code: Int(result.status),
                      userInfo: [NSLocalizedDescriptionKey: "python3 failed (\(result.status)): \(result.error)"])
    }
    return result.output
}

private func runPython(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var errorData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errorData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outputData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
}

/// Skips the test unless `python3 -c "import numpy"` works.
func requireNumPy() throws {
    guard (try? runPython(["-c", "import numpy"]).status) == 0 else { throw XCTSkip("python3 with numpy is not available") }
}
