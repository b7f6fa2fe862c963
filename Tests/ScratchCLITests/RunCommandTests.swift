import Foundation
import TestSupport
import XCTest

/// `scratchnet list` and `scratchnet run` end to end.
final class RunCommandTests: XCTestCase {
    func testListShowsEveryHandsOnWithADescription() throws {
        let result = try ScratchNetBinary.run(["list", "--verbose"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        for name in ["vanishing-gradient", "batch-normalization", "optimizers", "overfitting", "relu-he", "rmsprop-decay1"] {
            XCTAssertTrue(result.standardOutput.contains(name), "list lacks \(name)")
        }
    }

    func testRunWritesAReportAndPrintsTheSummary() throws {
        let folder = try makeTemporaryDirectory()
        let result = try ScratchNetBinary.run([
            "run", "vanishing-gradient", "--sample", "--only", "sigmoid-gaussian,relu-he", "--iterations", "60",
            "--eval-every", "20", "--output", folder.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.standardOutput.contains("2_2 Vanishing gradient: 2 variants"), result.output)
        XCTAssertTrue(result.standardOutput.contains("Data: the bundled sample"), result.output)
        XCTAssertTrue(result.standardOutput.contains("Sigmoid + Gaussian 0.01"), result.output)
        XCTAssertTrue(result.standardOutput.contains("Report: \(folder.appendingPathComponent("index.html").path)"), result.output)
        let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertNil(xmlError(html))
        for file in ["comparison.svg", "relu-he/accuracy.svg", "relu-he/gradient-norms.svg", "relu-he/activations-1.svg",
                     "relu-he/history.csv", "sigmoid-gaussian/history.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
    }

    func testRunRejectsUnknownHandsOnsAndVariants() throws {
        var result = try ScratchNetBinary.run(["run", "vanishing-gradients"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("there is no hands-on named \"vanishing-gradients\""), result.output)
        XCTAssertTrue(result.standardError.contains("vanishing-gradient, batch-normalization"), result.output)
        result = try ScratchNetBinary.run(["run", "optimizers", "--only", "sgd,lion"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("optimizers has no variant \"lion\""), result.output)
        result = try ScratchNetBinary.run(["run", "optimizers", "--jobs", "0"])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardError.contains("--jobs must be at least 1"), result.output)
    }
}
