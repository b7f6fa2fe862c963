import Foundation
import ScratchData
import ScratchNN
import ScratchTensor

/// A trained network saved as a NumPy `.npz`, so the course's Python reads it directly:
///
/// ```python
/// d = numpy.load("model.npz")
/// d["W1"].shape                 # (784, 50)
/// json.loads(str(d["architecture"]))["layers"]   # 'affine:50,batchnorm,relu,affine:10'
/// ```
///
/// ## Layout
/// ```
/// architecture     0-d '<U…' string: JSON {"format": "scratchnet-checkpoint", "version": 1,
///                  "name": "SimpleConvNet", "input_shape": [1, 28, 28],
///                  "layers": "conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10",
///                  "classes": 10, "precision": "float32", ...metadata ("test_accuracy": 0.97, ...)}
/// W1, b1, W2, ...  the parameters in the network's order, with the course's names:
/// gamma1, beta1    W/b numbered across convolutions and Affine layers, gamma/beta per batch norm
/// running_mean1    each batch norm's running statistics (what inference uses)
/// running_var1
/// ```
/// Arrays are float32 (`'<f4'`) for a `Float` network and float64 (`'<f8'`) for a `Double` one.
///
/// ``load(from:as:)`` rebuilds the network from the `layers` text with
/// ``ScratchNN/Sequential/build(_:inputShape:classes:weightInit:seed:weightDecay:)`` and copies
/// every array in, so a loaded network predicts exactly what the saved one did (same precision).
public enum Checkpoint {
    /// The `format` value of the architecture JSON.
    public static let format = "scratchnet-checkpoint"
    /// The layout version this code writes and reads.
    public static let version = 1
    /// The name of the entry holding the architecture JSON.
    public static let architectureEntry = "architecture"
    /// Architecture keys that ``save(_:name:layers:inputShape:classes:metadata:to:)`` writes itself.
    public static let reservedKeys: Set<String> = ["format", "version", "name", "input_shape", "layers", "classes", "precision"]

    /// A metadata value: text or a number (e.g. `"adam"`, `0.97`).
    public enum Value: Sendable, Equatable, CustomStringConvertible,
        ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
        case string(String)
        case number(Double)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(floatLiteral value: Double) { self = .number(value) }
        public init(integerLiteral value: Int) { self = .number(Double(value)) }

        /// The number, or a string that reads as one.
        public var number: Double? {
            switch self {
            case .number(let x): x
            case .string(let s): Double(s)
            }
        }

        public var description: String {
            switch self {
            case .string(let s): s
            case .number(let x): x == x.rounded() && Swift.abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
            }
        }
    }

    /// What a checkpoint says about its network (the architecture JSON).
    public struct Info: Sendable, Equatable {
        /// The network's name, e.g. "SimpleConvNet".
        public var name: String
        /// The layers (without the final SoftmaxWithLoss).
        public var layers: [LayerSpec]
        /// One sample's shape: `[784]` or `[1, 28, 28]`.
        public var inputShape: [Int]
        /// Number of classes (outputs of the last layer).
        public var classes: Int
        /// The precision the network was saved in: "float32" or "float64".
        public var precision: String
        /// Every other entry of the architecture JSON (e.g. `test_accuracy`, `optimizer`).
        public var metadata: [String: Value]
        /// Arrays in the file that the architecture does not use (a sign of a hand-edited file).
        public var unusedArrays: [String]

        public init(name: String, layers: [LayerSpec], inputShape: [Int], classes: Int, precision: String,
                    metadata: [String: Value] = [:], unusedArrays: [String] = []) {
            self.name = name
            self.layers = layers
            self.inputShape = inputShape
            self.classes = classes
            self.precision = precision
            self.metadata = metadata
            self.unusedArrays = unusedArrays
        }

        /// The layers as text, e.g. `conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10`.
        public var layerText: String { LayerSpec.text(layers) }

        /// The test accuracy recorded when the network was saved, if any.
        public var testAccuracy: Double? { metadata["test_accuracy"]?.number }
    }

    // MARK: Saving

    /// Writes `network` to `url` as an `.npz` (atomically: a temporary file renamed into place).
    ///
    /// - Parameters:
    ///   - name: the network's name for people, e.g. "MultiLayerNet".
    ///   - layers: the layer list that builds this network (``ScratchNN/LayerSpec``); the
    ///     parameters' names and shapes are checked against it, so the file always loads.
    ///   - inputShape: one sample, `[784]` or `[1, 28, 28]`.
    ///   - metadata: extra entries for the architecture JSON, e.g. `["test_accuracy": .number(0.97)]`.
    /// - Throws: ``CheckpointError/architectureMismatch(reason:)`` when `layers` does not describe
    ///   `network`, ``CheckpointError/reservedMetadataKey(_:)``, ``ScratchNN/LayerSpecError``,
    ///   and ``ScratchData/NPYError`` when the file cannot be written.
    public static func save<N: Network>(
        _ network: N, name: String, layers: [LayerSpec], inputShape: [Int], classes: Int = 10,
        metadata: [String: Value] = [:], to url: URL
    ) throws {
        if let key = metadata.keys.sorted().first(where: reservedKeys.contains) {
            throw CheckpointError.reservedMetadataKey(key)
        }
        // The network `layers` builds must have the same parameters and batch norms.
        let reference = try Sequential<N.Scalar>.build(layers, inputShape: inputShape, classes: classes)
        let expected = namedArrays(reference).map { ($0.name, $0.shape) }
        let actual = namedArrays(network)
        guard expected.map(\.0) == actual.map(\.name) else {
            throw CheckpointError.architectureMismatch(
                reason: "the network holds \(list(actual.map(\.name))) but the layers \(LayerSpec.text(layers)) "
                    + "build \(list(expected.map(\.0)))")
        }
        for ((expectedName, expectedShape), array) in zip(expected, actual) where expectedShape != array.shape {
            throw CheckpointError.architectureMismatch(
                reason: "\(expectedName) is \(shapeText(array.shape)) but the layers \(LayerSpec.text(layers)) "
                    + "need \(shapeText(expectedShape))")
        }

        let json = architectureJSON(name: name, layers: layers, inputShape: inputShape, classes: classes,
                                    precision: N.Scalar.precisionName, metadata: metadata)
        var arrays: [NPZ.NamedArray] = [(architectureEntry, .string(json))]
        arrays += actual.map { ($0.name, NPYArray($0.tensor)) }
        try NPZ.write(arrays, to: url)
    }

    /// The parameters, then each batch norm's running mean and variance, with their file names.
    private static func namedArrays<N: Network>(_ network: N) -> [(name: String, shape: [Int], tensor: Tensor<N.Scalar>)] {
        var arrays = network.parameters.map { (name: $0.name, shape: $0.value.shape, tensor: $0.value) }
        for (index, norm) in batchNorms(network).enumerated() {
            arrays.append(("running_mean\(index + 1)", norm.runningMean.shape, norm.runningMean))
            arrays.append(("running_var\(index + 1)", norm.runningVariance.shape, norm.runningVariance))
        }
        return arrays
    }

    private static func batchNorms<N: Network>(_ network: N) -> [BatchNormalization<N.Scalar>] {
        network.layers.compactMap { $0 as? BatchNormalization<N.Scalar> }
    }

    /// The architecture JSON, keys in a fixed order (format first), metadata sorted by key.
    static func architectureJSON(name: String, layers: [LayerSpec], inputShape: [Int], classes: Int,
                                 precision: String, metadata: [String: Value]) -> String {
        var entries: [(String, String)] = [
            ("format", jsonString(format)),
            ("version", "\(version)"),
            ("name", jsonString(name)),
            ("input_shape", "[" + inputShape.map(String.init).joined(separator: ", ") + "]"),
            ("layers", jsonString(LayerSpec.text(layers))),
            ("classes", "\(classes)"),
            ("precision", jsonString(precision)),
        ]
        for key in metadata.keys.sorted() {
            let value: String = switch metadata[key]! {
            case .string(let s): jsonString(s)
            case .number(let x): !x.isFinite ? "null" : x == x.rounded() && Swift.abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
            }
            entries.append((key, value))
        }
        return "{" + entries.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: Loading

    /// Reads a checkpoint and rebuilds its network in precision `T` (arrays of the other
    /// precision are converted; float64 → float32 rounds).
    /// - Throws: ``CheckpointError`` (not a checkpoint, unsupported version, unparsable
    ///   layers, a missing array, a shape mismatch) and ``ScratchData/NPYError`` for a file
    ///   that is missing or not a valid `.npz` (corrupt zip, truncated entry, ...).
    public static func load<T: TensorScalar>(from url: URL, as _: T.Type = T.self) throws -> (network: Sequential<T>, info: Info) {
        let file = url.relativePath
        let arrays = try NPZ.read(from: url)
        let byName = Dictionary(arrays.map { ($0.name, $0.array) }, uniquingKeysWith: { first, _ in first })
        let info = try readInfo(byName[architectureEntry], file: file, arrays: arrays.map(\.name))

        let network: Sequential<T>
        do {
            network = try Sequential<T>.build(info.layers, inputShape: info.inputShape, classes: info.classes)
        } catch {
            throw CheckpointError.invalidArchitecture(file: file, reason: "its layers \(info.layerText) do not fit its "
                                                      + "input shape \(shapeText(info.inputShape)): \(error)")
        }

        func tensor(_ name: String, shape: [Int]) throws -> Tensor<T> {
            guard let array = byName[name] else { throw CheckpointError.missingArray(file: file, name: name) }
            guard array.stringValue == nil else { throw CheckpointError.notNumeric(file: file, name: name) }
            guard array.shape == shape else {
                throw CheckpointError.shapeMismatch(file: file, name: name, found: array.shape, expected: shape)
            }
            return try array.tensor(T.self, name: "\(name) in \(file)")
        }
        var used: Set<String> = [architectureEntry]
        for p in network.parameters {
            p.value = try tensor(p.name, shape: p.value.shape)
            used.insert(p.name)
        }
        for (index, norm) in batchNorms(network).enumerated() {
            let meanName = "running_mean\(index + 1)", varName = "running_var\(index + 1)"
            norm.setRunningStatistics(mean: try tensor(meanName, shape: norm.runningMean.shape),
                                      variance: try tensor(varName, shape: norm.runningVariance.shape))
            used.formUnion([meanName, varName])
        }
        var result = info
        result.unusedArrays = arrays.map(\.name).filter { !used.contains($0) }
        return (network, result)
    }

    /// Reads only the architecture of a checkpoint (no network is built).
    /// - Throws: as ``load(from:as:)``, except for the arrays' checks.
    public static func info(at url: URL) throws -> Info {
        let arrays = try NPZ.read(from: url)
        return try readInfo(arrays.first { $0.name == architectureEntry }?.array, file: url.relativePath,
                            arrays: arrays.map(\.name))
    }

    private static func readInfo(_ entry: NPYArray?, file: String, arrays: [String]) throws -> Info {
        guard let entry else {
            throw CheckpointError.notACheckpoint(
                file: file, reason: "it has no '\(architectureEntry)' entry (it holds \(list(arrays)))")
        }
        guard let text = entry.stringValue else {
            throw CheckpointError.notACheckpoint(file: file, reason: "its '\(architectureEntry)' entry is numbers, not a JSON string")
        }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw CheckpointError.notACheckpoint(file: file, reason: "its '\(architectureEntry)' entry is not a JSON object")
        }
        guard object["format"]?.string == format else {
            throw CheckpointError.notACheckpoint(
                file: file, reason: "its '\(architectureEntry)' entry has no \"format\": \"\(format)\"")
        }
        guard let version = object["version"]?.integer else {
            throw CheckpointError.invalidArchitecture(file: file, reason: "\"version\" is missing or not a whole number")
        }
        guard version == Self.version else { throw CheckpointError.unsupportedVersion(file: file, version: version) }
        guard let layerText = object["layers"]?.string else {
            throw CheckpointError.invalidArchitecture(file: file, reason: "\"layers\" is missing or not a string")
        }
        let layers: [LayerSpec]
        do {
            layers = try LayerSpec.parse(layerText)
        } catch {
            throw CheckpointError.invalidArchitecture(file: file, reason: "its layers \"\(layerText)\" cannot be read: \(error)")
        }
        guard case .array(let shapeValues)? = object["input_shape"], !shapeValues.isEmpty else {
            throw CheckpointError.invalidArchitecture(file: file, reason: "\"input_shape\" is missing or not a list of sizes")
        }
        let inputShape = shapeValues.compactMap(\.integer)
        guard inputShape.count == shapeValues.count else {
            throw CheckpointError.invalidArchitecture(file: file, reason: "\"input_shape\" holds something other than whole numbers")
        }
        let classes = object["classes"].map(\.integer) ?? 10
        guard let classes, classes >= 1 else {
            throw CheckpointError.invalidArchitecture(file: file, reason: "\"classes\" is not a positive whole number")
        }
        var metadata: [String: Value] = [:]
        for (key, value) in object where !reservedKeys.contains(key) {
            switch value {
            case .string(let s): metadata[key] = .string(s)
            case .number(let x): metadata[key] = .number(x)
            case .bool(let b): metadata[key] = .string("\(b)")
            case .null, .array, .object: break
            }
        }
        return Info(name: object["name"]?.string ?? "Sequential", layers: layers, inputShape: inputShape,
                    classes: classes, precision: object["precision"]?.string ?? "float32", metadata: metadata)
    }

    /// Any JSON value (for reading the architecture entry without Foundation's NSNumber bridging).
    private enum JSONValue: Decodable {
        case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let x = try? c.decode(Double.self) { self = .number(x) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSONValue].self)) }
        }

        var string: String? { if case .string(let s) = self { s } else { nil } }
        var integer: Int? {
            guard case .number(let x) = self, x == x.rounded(), Swift.abs(x) < 1e15 else { return nil }
            return Int(x)
        }
    }

    /// `784×50`, `30×1×5×5`, `a scalar`.
    static func shapeText(_ shape: [Int]) -> String {
        shape.isEmpty ? "a scalar" : shape.map(String.init).joined(separator: "×")
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "no arrays" : names.joined(separator: ", ")
    }
}

/// Why a checkpoint cannot be read or written. Every description is one sentence naming
/// the file, the problem and what to do. Damaged or missing files raise
/// ``ScratchData/NPYError`` instead (passed through unchanged).
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The `.npz` has no (valid) `architecture` entry: it was not written by ScratchNet.
    case notACheckpoint(file: String, reason: String)
    /// A checkpoint layout version this build does not read.
    case unsupportedVersion(file: String, version: Int)
    /// The architecture JSON is incomplete, or its layers cannot be parsed or built.
    case invalidArchitecture(file: String, reason: String)
    /// A parameter or running statistic the architecture needs is not in the file.
    case missingArray(file: String, name: String)
    /// An array whose shape is not the one the architecture needs.
    case shapeMismatch(file: String, name: String, found: [Int], expected: [Int])
    /// An array that holds a string instead of numbers.
    case notNumeric(file: String, name: String)
    /// Saving: the layer list does not describe the network being saved.
    case architectureMismatch(reason: String)
    /// Saving: a metadata key that the architecture JSON uses itself.
    case reservedMetadataKey(String)

    public var description: String {
        switch self {
        case let .notACheckpoint(file, reason):
            "\(file) is not a ScratchNet checkpoint: \(reason); save one with `scratchnet train` or `scratchnet run`, or Checkpoint.save."
        case let .unsupportedVersion(file, version):
            "\(file) is a version \(version) checkpoint, but this scratchnet reads only version \(Checkpoint.version); "
                + "save it again with this version of scratchnet."
        case let .invalidArchitecture(file, reason):
            "\(file) has an unusable architecture entry: \(reason); the file is damaged or was edited by hand, so save the network again."
        case let .missingArray(file, name):
            "\(file) has no array \(name), but its architecture needs one: the file is incomplete or from another network; save the network again."
        case let .shapeMismatch(file, name, found, expected):
            "\(name) in \(file) is \(Checkpoint.shapeText(found)) but the architecture needs \(Checkpoint.shapeText(expected)): "
                + "the arrays are from another network; save the network again."
        case let .notNumeric(file, name):
            "\(name) in \(file) holds a string instead of numbers: the file is damaged or from another program; save the network again."
        case let .architectureMismatch(reason):
            "The checkpoint cannot be saved: \(reason); pass the layer list the network was built from."
        case let .reservedMetadataKey(key):
            "The checkpoint metadata key \"\(key)\" is reserved for the architecture itself; choose another name."
        }
    }

    public var errorDescription: String? { description }
}
