import Foundation
import ScratchData
import ScratchReport
import TestSupport
import XCTest

/// `train` → model.npz → `evaluate` and `predict`, end to end with the built binary.
final class CheckpointCommandTests: XCTestCase {
    /// Trains a small network on the bundled sample and returns its folder.
    private func trainedFolder(_ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let folder = try makeTemporaryDirectory(name)
        let result = try ScratchNetBinary.run(["train", "--sample", "--iterations", "50", "--eval-every", "25",
                                               "--output", folder.path] + extra)
        XCTAssertEqual(result.exitCode, 0, result.output, file: file, line: line)
        let model = folder.appendingPathComponent("model.npz")
        XCTAssertTrue(result.standardOutput.contains("Saved the trained network to \(model.path)"), result.output, file: file, line: line)
        XCTAssertTrue(FileManager.default.fileExists(atPath: model.path), file: file, line: line)
        return folder
    }

    private func finalTestAccuracy(_ folder: URL) throws -> Double {
        let data = try Data(contentsOf: folder.appendingPathComponent("history.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(json["finalTestAccuracy"] as? Double)
    }

    // MARK: evaluate

    func testEvaluatePrintsTheAccuracyTheTrainingRunRecorded() throws {
        let folder = try trainedFolder(["--batch-norm", "--dropout", "0.1"])
        let recorded = String(format: "%.4f", try finalTestAccuracy(folder))
        let model = folder.appendingPathComponent("model.npz").path
        let result = try ScratchNetBinary.run(["evaluate", "--model", model, "--sample"])
        XCTAssertEqual(result.exitCode, 0, result.output)
        let out = result.standardOutput
        XCTAssertTrue(out.contains("Model: \(model) — MultiLayerNet, float32"), out)
        XCTAssertTrue(out.contains("layers affine:40,batchnorm,relu,dropout:0.1,affine:20,batchnorm,relu,dropout:0.1,affine:10"), out)
        XCTAssertTrue(out.contains("Data: the bundled sample"), out)
        XCTAssertTrue(out.contains("Evaluating on the test set: 1,000 images"), out)
        XCTAssertTrue(out.contains("Test accuracy: \(recorded) ("), "expected the recorded \(recorded):\n\(out)")
        XCTAssertTrue(out.contains("recorded when saved: \(recorded) on 1,000 images"), out)
        XCTAssertTrue(out.contains("Test loss: "), out)
        // Per-class rows: digit, images, accuracy, then ten confusion counts summing to the images.
        let rows = out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .filter { $0.count == 13 && Int($0[0]) != nil }
        XCTAssertEqual(rows.map { Int($0[0])! }, Array(0...9), out)
        for row in rows {
            XCTAssertEqual(row[3...].compactMap { Int($0) }.reduce(0, +), Int(row[1].replacingOccurrences(of: ",", with: "")))
        }
        XCTAssertEqual(rows.map { Int($0[1])! }.reduce(0, +), 1000)

        // float64 arithmetic on the float32 weights: the same network, said so.
        let float64 = try ScratchNetBinary.run(["evaluate", "--model", model, "--sample", "--precision", "float64"])
        XCTAssertEqual(float64.exitCode, 0, float64.output)
        XCTAssertTrue(float64.standardOutput.contains("float64 (saved in float32)"), float64.output)
    }

    func testACorruptOrMismatchedCheckpointFailsWithOneClearMessage() throws {
        let folder = try trainedFolder()
        let model = folder.appendingPathComponent("model.npz")
        let bytes = try Data(contentsOf: model)

        let truncated = folder.appendingPathComponent("truncated.npz")
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        let a = try ScratchNetBinary.run(["evaluate", "--model", truncated.path, "--sample"])
        XCTAssertNotEqual(a.exitCode, 0)
        XCTAssertTrue(a.standardError.hasPrefix("error: \(truncated.path) is a damaged .npz (zip) file"), a.output)
        XCTAssertFalse(a.standardOutput.contains("Test accuracy"), a.output)

        // An .npz of other arrays, without the architecture entry.
        let plain = folder.appendingPathComponent("plain.npz")
        try NPZ.write([("W1", .float32(shape: [2], [1, 2]))], to: plain)
        let b = try ScratchNetBinary.run(["predict", "--model", plain.path, model.path])
        XCTAssertNotEqual(b.exitCode, 0)
        XCTAssertTrue(b.standardError.contains("is not a ScratchNet checkpoint: it has no 'architecture' entry"), b.output)

        // A checkpoint whose W2 has the wrong shape.
        let arrays = try NPZ.read(from: model).map { entry -> NPZ.NamedArray in
            entry.name == "W2" ? ("W2", .float32(shape: [40, 30], [Float](repeating: 0, count: 1200))) : entry
        }
        let mismatched = folder.appendingPathComponent("mismatched.npz")
        try NPZ.write(arrays, to: mismatched)
        let c = try ScratchNetBinary.run(["evaluate", "--model", mismatched.path, "--sample"])
        XCTAssertNotEqual(c.exitCode, 0)
        XCTAssertTrue(c.standardError.contains("W2 in \(mismatched.path) is 40×30 but the architecture needs 40×20"), c.output)

        let missing = try ScratchNetBinary.run(["evaluate", "--model", folder.appendingPathComponent("none.npz").path, "--sample"])
        XCTAssertNotEqual(missing.exitCode, 0)
        XCTAssertTrue(missing.standardError.contains("none.npz does not exist"), missing.output)
    }

    // MARK: predict

    /// The first `count` test images of the bundled sample with their labels (pixels 0…255).
    private func sampleDigits(_ count: Int) throws -> [(pixels: [UInt8], label: Int)] {
        let located = try MNISTLocator(dataDirectory: nil, allowDownload: false, useSampleOnly: true)
            .load(normalize: false, flatten: true, oneHot: false, as: Float.self)
        let test = located.dataset.test
        return (0..<count).map { i in
            (test.images.scalars[(i * 784)..<((i + 1) * 784)].map { UInt8($0) }, test.labels[i])
        }
    }

    func testPredictReadsPGMAndPNGFilesOfAnySize() throws {
        let folder = try trainedFolder()
        let model = folder.appendingPathComponent("model.npz").path
        let digits = try sampleDigits(3)
        var files: [String] = []
        for (i, digit) in digits.enumerated() {
            // As a scan would be: dark ink on white paper, enlarged to 56×56.
            var big = [UInt8](repeating: 255, count: 56 * 56)
            for y in 0..<56 { for x in 0..<56 { big[y * 56 + x] = 255 - digit.pixels[(y / 2) * 28 + x / 2] } }
            let pgm = folder.appendingPathComponent("digit\(i).pgm")
            try Data(PGM.encode(GrayImage(width: 56, height: 56, pixels: big))).write(to: pgm)
            let png = folder.appendingPathComponent("digit\(i).png")
            try Data(PNGEncoder.grayscale(width: 28, height: 28, pixels: digit.pixels)).write(to: png)
            files += [pgm.path, png.path]
        }
        let result = try ScratchNetBinary.run(["predict", "--model", model] + files)
        XCTAssertEqual(result.exitCode, 0, result.output)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, files.count, result.output)
        let pattern = try NSRegularExpression(pattern: #"^(.+): (\d) \(p=(\d\.\d\d); next (\d) (\d\.\d\d), (\d) (\d\.\d\d)\)$"#)
        var predicted: [Int] = []
        for (line, file) in zip(lines, files) {
            let match = try XCTUnwrap(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), line)
            let group = { (i: Int) in String(line[Range(match.range(at: i), in: line)!]) }
            XCTAssertEqual(group(1), file)
            let (p1, p2, p3) = (Double(group(3))!, Double(group(5))!, Double(group(7))!)
            XCTAssertTrue(p1 >= p2 && p2 >= p3 && p1 + p2 + p3 <= 1.01, line)
            XCTAssertEqual(Set([group(2), group(4), group(6)]).count, 3, line)
            predicted.append(Int(group(2))!)
        }
        // 50 iterations already read most digits; the same digit as PGM and PNG reads alike.
        XCTAssertGreaterThanOrEqual(zip(predicted, digits.flatMap { [$0.label, $0.label] }).filter { $0 == $1 }.count, 4, result.output)

        let json = try ScratchNetBinary.run(["predict", "--model", model, "--json", files[0], files[1]])
        XCTAssertEqual(json.exitCode, 0, json.output)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(document["network"] as? String, "MultiLayerNet")
        let predictions = try XCTUnwrap(document["predictions"] as? [[String: Any]])
        XCTAssertEqual(predictions.count, 2)
        XCTAssertEqual(predictions[0]["file"] as? String, files[0])
        XCTAssertEqual(predictions[0]["digit"] as? Int, predicted[0])
        let probabilities = try XCTUnwrap(predictions[0]["probabilities"] as? [Double])
        XCTAssertEqual(probabilities.count, 10)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual((predictions[0]["top"] as? [[String: Any]])?.count, 3)
    }

    func testPredictReportsEachBadImageAndExitsNonZero() throws {
        let folder = try trainedFolder()
        let model = folder.appendingPathComponent("model.npz").path
        let digit = try sampleDigits(1)[0]
        let good = folder.appendingPathComponent("good.png")
        try Data(PNGEncoder.grayscale(width: 28, height: 28, pixels: digit.pixels)).write(to: good)
        let blank = folder.appendingPathComponent("blank.png")
        try Data(PNGEncoder.grayscale(width: 8, height: 8, pixels: [UInt8](repeating: 200, count: 64))).write(to: blank)
        let junk = folder.appendingPathComponent("junk.pgm")
        try Data("P5 nonsense".utf8).write(to: junk)
        let absent = folder.appendingPathComponent("absent.png")

        let result = try ScratchNetBinary.run(["predict", "--model", model, good.path, blank.path, junk.path, absent.path])
        XCTAssertNotEqual(result.exitCode, 0)
        XCTAssertTrue(result.standardOutput.hasPrefix("\(good.path): "), result.output)
        let errors = result.standardError.split(separator: "\n")
        XCTAssertEqual(errors.count, 3, result.output)
        XCTAssertTrue(errors.allSatisfy { $0.hasPrefix("error: ") }, result.output)
        for (line, file) in zip(errors, [blank, junk, absent]) {
            XCTAssertTrue(line.contains(file.path), "\(line) should name \(file.path)")
        }

        let json = try ScratchNetBinary.run(["predict", "--model", model, "--json", good.path, absent.path])
        XCTAssertNotEqual(json.exitCode, 0)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let predictions = try XCTUnwrap(document["predictions"] as? [[String: Any]])
        XCTAssertNotNil(predictions[0]["digit"])
        XCTAssertTrue((predictions[1]["error"] as? String)?.contains("does not exist") == true, json.output)

        let none = try ScratchNetBinary.run(["predict", "--model", model])
        XCTAssertNotEqual(none.exitCode, 0)
        XCTAssertTrue(none.standardError.contains("give at least one image file"), none.output)
    }

    // MARK: run

    func testRunSavesEachVariantsNetwork() throws {
        let folder = try makeTemporaryDirectory(name)
        let result = try ScratchNetBinary.run([
            "run", "batch-normalization", "--sample", "--only", "relu-he,relu-he-bn", "--iterations", "20",
            "--eval-every", "10", "--output", folder.path,
        ])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.standardOutput.contains("Trained networks: \(folder.path)/VARIANT/model.npz for relu-he, relu-he-bn"),
                      result.output)
        for variant in ["relu-he", "relu-he-bn"] {
            let model = folder.appendingPathComponent(variant).appendingPathComponent("model.npz")
            let evaluation = try ScratchNetBinary.run(["evaluate", "--model", model.path, "--sample"])
            XCTAssertEqual(evaluation.exitCode, 0, evaluation.output)
            let history = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent(variant).appendingPathComponent("history.json"))) as? [String: Any])
            let recorded = String(format: "%.4f", try XCTUnwrap(history["finalTestAccuracy"] as? Double))
            XCTAssertTrue(evaluation.standardOutput.contains("Test accuracy: \(recorded) ("), evaluation.output)
        }
    }

    // MARK: help

    func testHelpShowsOptionsDefaultsAndAnExample() throws {
        let evaluate = try ScratchNetBinary.run(["evaluate", "--help"])
        XCTAssertEqual(evaluate.exitCode, 0)
        for expected in ["--model", "--data-dir", "--sample", "--precision", "(default: the precision the network was saved in)",
                         "scratchnet evaluate --model runs/mlp/model.npz --sample"] {
            XCTAssertTrue(flattened(evaluate.standardOutput).contains(expected), "evaluate --help lacks \(expected)")
        }
        let predict = try ScratchNetBinary.run(["predict", "--help"])
        XCTAssertEqual(predict.exitCode, 0)
        for expected in ["--model", "--json", "<images> ...", "digit.png: 7 (p=0.98; next 1 0.01, 9 0.00)",
                         "scratchnet predict --model runs/mlp/model.npz digit.png"] {
            XCTAssertTrue(flattened(predict.standardOutput).contains(expected), "predict --help lacks \(expected)")
        }
        let train = try ScratchNetBinary.run(["train", "--help"])
        XCTAssertTrue(train.standardOutput.contains("model.npz"), train.output)
        let root = try ScratchNetBinary.run(["--help"])
        for command in ["evaluate", "predict", "explain"] {
            XCTAssertTrue(root.standardOutput.contains(command), "scratchnet --help lacks \(command)")
        }
    }
}

/// Help text with every run of spaces and line breaks as one space (the help is wrapped to the terminal).
private func flattened(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}
