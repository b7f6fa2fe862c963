import Foundation
import TestSupport
import XCTest

/// `scratchnet train` end to end: the built binary, its files and its errors.
final class TrainCommandTests: XCTestCase {
    private func historyJSON(_ folder: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("history.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
    }

    func testShortReLUHeRunOnTheBundledSampleLearns() throws {
        let folder = try makeTemporaryDirectory()
        let result = try ScratchNetBinary.run([
            "train", "--sample", "--hidden", "40,20", "--activation", "relu", "--init", "he", "--optimizer", "sgd",
            "--lr", "0.1", "--iterations", "400", "--batch-size", "100", "--eval-every", "100", "--seed", "1",
            "--output", folder.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.standardOutput.contains("Data: the bundled sample (first 5,000 training / 1,000 test images"), result.output)
        XCTAssertTrue(result.standardOutput.contains("Final:"), result.output)
        let json = try historyJSON(folder)
        let accuracy = try XCTUnwrap(json["finalTestAccuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 0.85)
        let csv = try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.first, "iteration,epoch,loss,train_accuracy,test_accuracy,elapsed_seconds")
        XCTAssertEqual(lines.count, 1 + 4)
        XCTAssertTrue(lines[1].hasPrefix("100,2.0,"))
    }

    func testTheSameSeedGivesTheSameNumbers() throws {
        func run(_ seed: String) throws -> [String] {
            let folder = try makeTemporaryDirectory()
            let result = try ScratchNetBinary.run([
                "train", "--sample", "--iterations", "60", "--eval-every", "20", "--seed", seed, "--dropout", "0.1",
                "--output", folder.path,
            ])
            XCTAssertEqual(result.exitCode, 0, result.output)
            let csv = try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8)
            // Everything but the elapsed-time column.
            return csv.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        let first = try run("7")
        XCTAssertEqual(first, try run("7"))
        XCTAssertNotEqual(first, try run("8"))
    }

    func testFloat64PrecisionAndEpochMode() throws {
        let folder = try makeTemporaryDirectory()
        let result = try ScratchNetBinary.run([
            "train", "--sample", "--precision", "float64", "--epochs", "1", "--batch-size", "500", "--eval-every", "5",
            "--train-size", "1000", "--train-accuracy", "full", "--weight-decay", "none", "--output", folder.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.standardOutput.contains("float64"), result.output)
        let json = try historyJSON(folder)
        let history = try XCTUnwrap(json["history"] as? [String: Any])
        XCTAssertEqual(history["iterations"] as? Int, 2)
        let settings = try XCTUnwrap(json["settings"] as? [String: String])
        XCTAssertEqual(settings["precision"], "float64")
        XCTAssertEqual(settings["training_subset"], "first 1000 images")
        XCTAssertEqual(settings["weight_decay"], "none")   // "none", the default the help shows, is accepted
    }

    func testHelpShowsDefaults() throws {
        let result = try ScratchNetBinary.run(["train", "--help"])
        XCTAssertEqual(result.exitCode, 0)
        for expected in ["--hidden", "(default: 40,20)", "--lr", "(default: 0.1)", "--iterations", "(default: 2000)",
                         "--batch-size", "(default: 100)", "--eval-every", "(default: 10)", "--data-dir", "--precision"] {
            XCTAssertTrue(result.standardOutput.contains(expected), "help lacks \(expected)")
        }
        let root = try ScratchNetBinary.run(["--help"])
        XCTAssertTrue(root.standardOutput.contains("train"), root.output)
    }

    func testBadOptionsGiveOneClearMessageAndANonZeroExit() throws {
        let cases: [([String], String)] = [
            (["--lr", "0"], "--lr must be a positive number"),
            (["--lr=-1"], "--lr must be a positive number"),
            (["--batch-size", "0"], "--batch-size must be at least 1"),
            (["--hidden", ""], "--hidden needs at least one layer size"),
            (["--hidden", "40,0"], "--hidden sizes must be positive whole numbers"),
            (["--hidden", "forty"], "--hidden sizes must be positive whole numbers"),
            (["--eval-every", "0"], "--eval-every must be at least 1"),
            (["--iterations", "0"], "--iterations must be at least 1"),
            (["--activation", "softplus"], "'sigmoid', 'relu' or 'tanh'"),
            (["--optimizer", "lion"], "The value 'lion' is invalid for '--optimizer"),
            (["--dropout", "1.5"], "--dropout must be in [0, 1)"),
            (["--weight-decay", "l3:0.1"], "must start with l1: or l2:"),
            (["--weight-decay", "l2:-1"], "--weight-decay must look like"),
            (["--decay", "2"], "--decay must be in [0, 1]"),
            (["--data-dir", "/nonexistent/mnist"], "is not an existing folder"),
        ]
        for (arguments, message) in cases {
            let result = try ScratchNetBinary.run(["train", "--iterations", "1"] + arguments + ["--output", NSTemporaryDirectory() + "/scratchnet-never"])
            XCTAssertNotEqual(result.exitCode, 0, "\(arguments)")
            XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.output)")
            XCTAssertFalse(result.output.contains("Fatal error"), "\(arguments): \(result.output)")
        }
    }

    func testDataProblemsAreReportedClearly() throws {
        guard let sample = Self.sampleDirectory else { throw XCTSkip("bundled sample not built") }
        let files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]

        // A folder missing one file.
        let partial = try makeTemporaryDirectory()
        for name in files.dropLast() {
            try FileManager.default.copyItem(at: sample.appendingPathComponent(name), to: partial.appendingPathComponent(name))
        }
        var result = try ScratchNetBinary.run(["train", "--data-dir", partial.path, "--iterations", "1"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("t10k-labels-idx1-ubyte.gz"), result.output)

        // A truncated image file.
        let truncated = try makeTemporaryDirectory()
        for name in files { try FileManager.default.copyItem(at: sample.appendingPathComponent(name), to: truncated.appendingPathComponent(name)) }
        let images = truncated.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: images)
        try bytes.prefix(bytes.count / 2).write(to: images)
        result = try ScratchNetBinary.run(["train", "--data-dir", truncated.path, "--iterations", "1"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("t10k-images-idx3-ubyte.gz"), result.output)
        XCTAssertFalse(result.output.contains("Fatal error"), result.output)

        // Training labels swapped for test labels: 5,000 images but 1,000 labels.
        let mismatched = try makeTemporaryDirectory()
        for name in files { try FileManager.default.copyItem(at: sample.appendingPathComponent(name), to: mismatched.appendingPathComponent(name)) }
        try FileManager.default.removeItem(at: mismatched.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try FileManager.default.copyItem(at: sample.appendingPathComponent("t10k-labels-idx1-ubyte.gz"),
                                         to: mismatched.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        result = try ScratchNetBinary.run(["train", "--data-dir", mismatched.path, "--iterations", "1"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("5000") || result.standardError.contains("5,000"), result.output)
        XCTAssertTrue(result.standardError.contains("1000") || result.standardError.contains("1,000"), result.output)
    }

    func testADivergingRunStopsNamingTheIterationAndKeepsItsHistory() throws {
        let folder = try makeTemporaryDirectory()
        let result = try ScratchNetBinary.run([
            "train", "--sample", "--lr", "1e6", "--iterations", "50", "--eval-every", "1", "--output", folder.path,
        ])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("diverged at iteration"), result.output)
        let json = try historyJSON(folder)
        XCTAssertTrue((json["outcome"] as? String)?.hasPrefix("diverged at iteration") ?? false)
        let csv = try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8)
        XCTAssertGreaterThan(csv.split(separator: "\n").count, 1, "rows before the divergence are kept")
    }

    /// The bundled sample's files in the source tree.
    static var sampleDirectory: URL? {
        let url = RepositoryPaths.root.appendingPathComponent("Sources/ScratchData/Resources/mnist-sample")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path) ? url : nil
    }
}
