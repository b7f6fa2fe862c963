import Foundation
import ScratchData
import ScratchNN
import ScratchTensor
import ScratchTrain
import TestSupport
import XCTest

/// Checkpoints: save → load gives the same network, numpy reads the file, and every kind of
/// bad file gives its own clear error.
final class CheckpointTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryDirectory(name)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: Networks

    /// 784-20-10-10 with batch norm and dropout, as `Model.multiLayer(...).layerSpecs` writes it.
    private let mlpSpecs: [LayerSpec] = [
        .affine(outputs: 20), .batchnorm, .relu, .dropout(ratio: 0.2),
        .affine(outputs: 10), .batchnorm, .relu, .dropout(ratio: 0.2),
        .affine(outputs: 10),
    ]

    private func trainedMLP<T: TensorScalar>(_: T.Type, seed: UInt64 = 3) -> MultiLayerNet<T> {
        let net = MultiLayerNet<T>(MultiLayerNetConfiguration(
            inputSize: 784, hiddenSizes: [20, 10], outputSize: 10, activation: .relu, weightInit: .he,
            batchNorm: true, dropout: 0.2), seed: seed)
        train(net, inputShape: [784], seed: seed)
        return net
    }

    /// A few SGD steps, so the biases, γ, β and the running statistics are not their initial values.
    private func train<N: Network>(_ net: N, inputShape: [Int], seed: UInt64) {
        for step in 0..<3 {
            let x = randomTensor([8] + inputShape, seed: seed &+ UInt64(step), as: N.Scalar.self)
            net.gradient(x, labels: randomLabels(8, seed: seed &+ 100 &+ UInt64(step)))
            for p in net.parameters { p.value -= p.gradient * N.Scalar(0.1) }
        }
    }

    private func assertSamePredictions<A: Network, B: Network>(
        _ a: A, _ b: B, input: Tensor<A.Scalar>, file: StaticString = #filePath, line: UInt = #line
    ) where A.Scalar == B.Scalar {
        let expected = a.predict(input, mode: .inference)
        let actual = b.predict(input, mode: .inference)
        XCTAssertEqual(actual.shape, expected.shape, file: file, line: line)
        XCTAssertEqual(actual.scalars, expected.scalars, "predictions differ after loading", file: file, line: line)
    }

    // MARK: Round trips

    func testSequentialBuildNamesParametersLikeTheCourseNetworks() throws {
        let mlp = MultiLayerNet<Float>(MultiLayerNetConfiguration(
            hiddenSizes: [20, 10], activation: .relu, weightInit: .he, batchNorm: true, dropout: 0.2))
        let built = try Sequential<Float>.build(mlpSpecs, inputShape: [784])
        XCTAssertEqual(built.parameters.map(\.name), mlp.parameters.map(\.name))
        XCTAssertEqual(built.parameters.map(\.name), ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"])
        XCTAssertEqual(built.parameters.map(\.value.shape), mlp.parameters.map(\.value.shape))

        let conv = try DeepConvNet<Float>(seed: 1)
        let rebuilt = try Sequential<Float>.build(DeepConvNetConfiguration().layerSpecs, inputShape: [1, 28, 28])
        XCTAssertEqual(rebuilt.parameters.map(\.name), conv.parameters.map(\.name))
        XCTAssertEqual(rebuilt.parameters.map(\.value.shape), conv.parameters.map(\.value.shape))
    }

    func testMultiLayerNetWithBatchNormAndDropoutRoundTripsExactly() throws {
        let net = trainedMLP(Float.self)
        let url = folder.appendingPathComponent("model.npz")
        try Checkpoint.save(net, name: "MultiLayerNet", layers: mlpSpecs, inputShape: [784],
                            metadata: ["test_accuracy": 0.8125, "optimizer": "SGD lr=0.1", "iterations": 3], to: url)

        let (loaded, info) = try Checkpoint.load(from: url, as: Float.self)
        XCTAssertEqual(info.name, "MultiLayerNet")
        XCTAssertEqual(info.layers, mlpSpecs)
        XCTAssertEqual(info.inputShape, [784])
        XCTAssertEqual(info.classes, 10)
        XCTAssertEqual(info.precision, "float32")
        XCTAssertEqual(info.testAccuracy, 0.8125)
        XCTAssertEqual(info.metadata["optimizer"], .string("SGD lr=0.1"))
        XCTAssertEqual(info.metadata["iterations"], .number(3))
        XCTAssertEqual(info.unusedArrays, [])

        XCTAssertEqual(loaded.parameters.map(\.name), net.parameters.map(\.name))
        for (a, b) in zip(loaded.parameters, net.parameters) {
            XCTAssertEqual(a.value, b.value, a.name)
        }
        let norms = net.layers.compactMap { $0 as? BatchNormalization<Float> }
        let loadedNorms = loaded.layers.compactMap { $0 as? BatchNormalization<Float> }
        XCTAssertEqual(loadedNorms.count, 2)
        for (a, b) in zip(loadedNorms, norms) {
            XCTAssertNotEqual(b.runningMean.sumOfAbsolutes(), 0, "training should have moved the running mean")
            XCTAssertEqual(a.runningMean, b.runningMean)
            XCTAssertEqual(a.runningVariance, b.runningVariance)
        }
        assertSamePredictions(net, loaded, input: randomTensor([16, 784], seed: 42))
    }

    func testSimpleConvNetRoundTripsExactly() throws {
        let config = SimpleConvNetConfiguration(
            inputShape: [1, 12, 12], convolution: ConvolutionSettings(filters: 4, size: 3, pad: 1), hiddenSize: 16)
        let net = try SimpleConvNet<Float>(config, seed: 5)
        train(net, inputShape: [1, 12, 12], seed: 5)
        let url = folder.appendingPathComponent("conv.npz")
        try Checkpoint.save(net, name: "SimpleConvNet", layers: config.layerSpecs, inputShape: config.inputShape, to: url)

        let (loaded, info) = try Checkpoint.load(from: url, as: Float.self)
        XCTAssertEqual(info.layerText, "conv:4x3x3/p1,relu,maxpool:2,affine:16,relu,affine:10")
        XCTAssertEqual(info.inputShape, [1, 12, 12])
        XCTAssertEqual(loaded.parameters.map(\.name), ["W1", "b1", "W2", "b2", "W3", "b3"])
        XCTAssertEqual(loaded.parameters[0].value.shape, [4, 1, 3, 3])
        assertSamePredictions(net, loaded, input: randomTensor([6, 1, 12, 12], seed: 9))
    }

    func testFloat64NetworksAreStoredAsFloat64() throws {
        let net = trainedMLP(Double.self)
        let url = folder.appendingPathComponent("model64.npz")
        try Checkpoint.save(net, name: "MultiLayerNet", layers: mlpSpecs, inputShape: [784], to: url)
        let w1 = try NPZ.read("W1", from: url)
        XCTAssertEqual(w1.descr, "<f8")
        XCTAssertEqual(w1.shape, [784, 20])
        let (loaded, info) = try Checkpoint.load(from: url, as: Double.self)
        XCTAssertEqual(info.precision, "float64")
        assertSamePredictions(net, loaded, input: randomTensor([4, 784], seed: 1))
        // Read in the other precision: converted, close but rounded.
        let (asFloat, _) = try Checkpoint.load(from: url, as: Float.self)
        XCTAssertEqual(asFloat.parameters[0].value.scalars[0], Float(net.parameters[0].value.scalars[0]))
    }

    func testTheLayoutPutsTheArchitectureFirstThenParametersThenRunningStatistics() throws {
        let net = trainedMLP(Float.self)
        let url = folder.appendingPathComponent("model.npz")
        try Checkpoint.save(net, name: "MultiLayerNet", layers: mlpSpecs, inputShape: [784],
                            metadata: ["test_accuracy": 0.5], to: url)
        let arrays = try NPZ.read(from: url)
        XCTAssertEqual(arrays.map(\.name), ["architecture", "W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2",
                                            "W3", "b3", "running_mean1", "running_var1", "running_mean2", "running_var2"])
        let json = try XCTUnwrap(arrays[0].array.stringValue)
        XCTAssertTrue(json.hasPrefix(#"{"format": "scratchnet-checkpoint", "version": 1, "name": "MultiLayerNet", "input_shape": [784], "#), json)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["layers"] as? String, "affine:20,batchnorm,relu,dropout:0.2,affine:10,batchnorm,relu,dropout:0.2,affine:10")
        XCTAssertEqual(object["precision"] as? String, "float32")
        XCTAssertEqual(object["classes"] as? Int, 10)
        XCTAssertEqual(object["test_accuracy"] as? Double, 0.5)
        XCTAssertEqual(arrays[1].array.descr, "<f4")
        XCTAssertEqual(arrays[12].array.shape, [20])
    }

    func testNumPyReadsTheCheckpoint() throws {
        let net = trainedMLP(Float.self)
        let url = folder.appendingPathComponent("model.npz")
        try Checkpoint.save(net, name: "MultiLayerNet", layers: mlpSpecs, inputShape: [784], to: url)
        let script = """
        import json, numpy
        d = numpy.load('\(url.path)')
        a = json.loads(str(d['architecture']))
        print(d['W1'].shape, d['W1'].dtype, d['running_var2'].shape, a['format'], a['layers'])
        print(repr(float(d['W1'][3, 7])))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0, errors.contains("No module named") || errors.contains("not found") {
            throw XCTSkip("numpy is not available: \(errors)")
        }
        XCTAssertEqual(process.terminationStatus, 0, errors)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "(784, 20) float32 (10,) scratchnet-checkpoint "
                       + "affine:20,batchnorm,relu,dropout:0.2,affine:10,batchnorm,relu,dropout:0.2,affine:10")
        let w = net.parameters[0].value.scalars[3 * 20 + 7]
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(Float(Double(lines[1]) ?? .nan), w)
    }

    // MARK: Errors on saving

    func testSavingWithLayersThatDoNotDescribeTheNetworkFails() throws {
        let net = trainedMLP(Float.self)
        let url = folder.appendingPathComponent("model.npz")
        let wider: [LayerSpec] = [.affine(outputs: 30), .batchnorm, .relu, .affine(outputs: 10), .batchnorm, .relu, .affine(outputs: 10)]
        XCTAssertThrowsError(try Checkpoint.save(net, name: "x", layers: wider, inputShape: [784], to: url)) { error in
            guard case CheckpointError.architectureMismatch = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("W1 is 784×20 but the layers"), "\(error)")
        }
        let withoutNorm: [LayerSpec] = [.affine(outputs: 20), .relu, .affine(outputs: 10), .relu, .affine(outputs: 10)]
        XCTAssertThrowsError(try Checkpoint.save(net, name: "x", layers: withoutNorm, inputShape: [784], to: url)) { error in
            guard case CheckpointError.architectureMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Checkpoint.save(net, name: "x", layers: mlpSpecs, inputShape: [784],
                                                 metadata: ["layers": "oops"], to: url)) { error in
            XCTAssertEqual(error as? CheckpointError, .reservedMetadataKey("layers"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing is written when saving fails")
    }

    // MARK: Errors on loading

    /// A valid checkpoint's arrays, for making bad files from.
    private func savedArrays() throws -> [NPZ.NamedArray] {
        let url = folder.appendingPathComponent("good.npz")
        try Checkpoint.save(trainedMLP(Float.self), name: "MultiLayerNet", layers: mlpSpecs, inputShape: [784], to: url)
        return try NPZ.read(from: url)
    }

    /// Writes `arrays` as `name` in the test's folder and loads it; returns the error.
    private func loadError(_ arrays: [NPZ.NamedArray], name: String = "model.npz",
                           file: StaticString = #filePath, line: UInt = #line) throws -> (any Error)? {
        let url = URL(fileURLWithPath: name, relativeTo: folder)
        try NPZ.write(arrays, to: url)
        do {
            _ = try Checkpoint.load(from: url, as: Float.self)
            XCTFail("\(name) loaded", file: file, line: line)
            return nil
        } catch {
            XCTAssertFalse("\(error)".isEmpty, file: file, line: line)
            return error
        }
    }

    private func replacingArchitecture(_ arrays: [NPZ.NamedArray], _ edit: (inout [String: Any]) -> Void) throws -> [NPZ.NamedArray] {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(XCTUnwrap(arrays[0].array.stringValue).utf8)) as? [String: Any])
        edit(&object)
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return [("architecture", .string(json))] + arrays.dropFirst()
    }

    func testAnNPZWithoutArchitectureIsNotACheckpoint() throws {
        let arrays = try savedArrays()
        let error = try loadError(Array(arrays.dropFirst()))
        guard case .notACheckpoint(let file, _)? = error as? CheckpointError else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "model.npz")
        XCTAssertTrue("\(error!)".hasPrefix("model.npz is not a ScratchNet checkpoint: it has no 'architecture' entry (it holds W1, b1,"), "\(error!)")

        let numbers = try loadError([("architecture", .float32(shape: [1], [1]))] + arrays.dropFirst())
        guard case .notACheckpoint? = numbers as? CheckpointError else { return XCTFail("\(String(describing: numbers))") }

        let otherFormat = try loadError(replacingArchitecture(arrays) { $0["format"] = "keras" })
        guard case .notACheckpoint? = otherFormat as? CheckpointError else { return XCTFail("\(String(describing: otherFormat))") }

        let notJSON = try loadError([("architecture", .string("affine:10"))] + arrays.dropFirst())
        guard case .notACheckpoint? = notJSON as? CheckpointError else { return XCTFail("\(String(describing: notJSON))") }
    }

    func testAnotherVersionIsRejected() throws {
        let error = try loadError(replacingArchitecture(savedArrays()) { $0["version"] = 2 })
        XCTAssertEqual(error as? CheckpointError, .unsupportedVersion(file: "model.npz", version: 2))
        XCTAssertEqual("\(error!)", "model.npz is a version 2 checkpoint, but this scratchnet reads only version 1; "
                       + "save it again with this version of scratchnet.")
    }

    func testUnparsableOrUnbuildableLayersAreRejected() throws {
        let arrays = try savedArrays()
        let bad = try loadError(replacingArchitecture(arrays) { $0["layers"] = "affine:20,bogus" })
        guard case .invalidArchitecture(_, let reason)? = bad as? CheckpointError else { return XCTFail("\(String(describing: bad))") }
        XCTAssertTrue(reason.contains("'bogus' is not a layer"), reason)

        let unbuildable = try loadError(replacingArchitecture(arrays) { $0["layers"] = "maxpool:2,affine:10" })
        guard case .invalidArchitecture? = unbuildable as? CheckpointError else { return XCTFail("\(String(describing: unbuildable))") }

        let noShape = try loadError(replacingArchitecture(arrays) { $0["input_shape"] = nil })
        guard case .invalidArchitecture? = noShape as? CheckpointError else { return XCTFail("\(String(describing: noShape))") }
    }

    func testAMissingArrayIsNamed() throws {
        let arrays = try savedArrays().filter { $0.name != "W3" }
        let error = try loadError(arrays)
        XCTAssertEqual(error as? CheckpointError, .missingArray(file: "model.npz", name: "W3"))
        XCTAssertTrue("\(error!)".hasPrefix("model.npz has no array W3, but its architecture needs one: "
                                           + "the file is incomplete or from another network"), "\(error!)")

        let noStatistics = try loadError(try savedArrays().filter { $0.name != "running_var2" })
        XCTAssertEqual(noStatistics as? CheckpointError, .missingArray(file: "model.npz", name: "running_var2"))
    }

    func testAShapeMismatchNamesBothShapes() throws {
        let arrays = try savedArrays()
        // The file's layers say 784×20 (and 20×10), but W1 holds 784×50.
        let edited = arrays.map { entry -> NPZ.NamedArray in
            entry.name == "W1" ? ("W1", .float32(shape: [784, 50], [Float](repeating: 0, count: 784 * 50))) : entry
        }
        let error = try loadError(edited)
        XCTAssertEqual(error as? CheckpointError, .shapeMismatch(file: "model.npz", name: "W1", found: [784, 50], expected: [784, 20]))
        XCTAssertTrue("\(error!)".hasPrefix("W1 in model.npz is 784×50 but the architecture needs 784×20"), "\(error!)")

        let stringArray = arrays.map { entry -> NPZ.NamedArray in entry.name == "b2" ? ("b2", .string("x")) : entry }
        XCTAssertEqual(try loadError(stringArray) as? CheckpointError, .notNumeric(file: "model.npz", name: "b2"))
    }

    func testATruncatedOrMissingFileRaisesTheNPZError() throws {
        let good = folder.appendingPathComponent("good.npz")
        _ = try savedArrays()
        let bytes = try Data(contentsOf: good)
        let truncated = folder.appendingPathComponent("truncated.npz")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        XCTAssertThrowsError(try Checkpoint.load(from: truncated, as: Float.self)) { error in
            guard case NPYError.corruptZip(let source, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(source, truncated.path)
        }
        let text = folder.appendingPathComponent("notes.npz")
        try Data("hello".utf8).write(to: text)
        XCTAssertThrowsError(try Checkpoint.load(from: text, as: Float.self)) { error in
            XCTAssertEqual(error as? NPYError, .notZip(source: text.path))
        }
        let missing = folder.appendingPathComponent("nothing.npz")
        XCTAssertThrowsError(try Checkpoint.load(from: missing, as: Float.self)) { error in
            XCTAssertEqual(error as? NPYError, .fileNotFound(path: missing.path))
        }
    }

    func testExtraArraysAreReportedButDoNotStopLoading() throws {
        let arrays = try savedArrays() + [("notes", .float32(shape: [2], [1, 2]))]
        let url = folder.appendingPathComponent("extra.npz")
        try NPZ.write(arrays, to: url)
        let (_, info) = try Checkpoint.load(from: url, as: Float.self)
        XCTAssertEqual(info.unusedArrays, ["notes"])
    }
}
