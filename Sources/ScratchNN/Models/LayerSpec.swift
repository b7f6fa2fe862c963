import ScratchTensor

/// One layer of a network written as text, for composing your own networks
/// (the CLI's `--layers`) and for describing the course's convolutional networks.
///
/// ## Syntax
/// Layers are separated by commas; spaces are ignored; upper case is read as lower case.
///
/// | text | layer | defaults |
/// |---|---|---|
/// | `conv:FxHxW` or `conv:FxK` | ``Convolution``: F filters of H×W (K×K) | stride 1, pad 0 |
/// | `conv:FxHxW/sS/pP` | the same with stride S and padding P (either or both, any order) | |
/// | `maxpool:K` / `maxpool:K/sS` | ``MaxPooling`` with a K×K window | stride K |
/// | `avgpool:K` / `avgpool:K/sS` | ``AveragePooling`` with a K×K window | stride K |
/// | `maxpool` / `avgpool` | a 2×2 window, stride 2 | |
/// | `affine:N` | ``Affine`` with N outputs | |
/// | `dropout:R` / `dropout` | ``Dropout`` with ratio R | R = 0.5 |
/// | `relu`, `sigmoid`, `tanh` | activations | |
/// | `batchnorm` | ``BatchNormalization`` over every activation of its input | |
/// | `flatten` | ``Flatten`` (optional: Affine reads images as rows) | |
///
/// Example (SimpleConvNet of 2_6): `conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10`.
/// ``Sequential/build(_:inputShape:classes:weightInit:seed:weightDecay:)`` turns a list into a
/// network after checking that every layer fits the shape the layers before it produce.
public enum LayerSpec: Sendable, Equatable, CustomStringConvertible {
    case conv(filters: Int, height: Int, width: Int, stride: Int = 1, pad: Int = 0)
    case relu
    case sigmoid
    case tanh
    case maxpool(size: Int, stride: Int)
    case avgpool(size: Int, stride: Int)
    case affine(outputs: Int)
    case dropout(ratio: Double)
    case batchnorm
    case flatten

    /// The syntax, one line per layer kind (for error messages and `--help`).
    public static let syntax = """
        conv:FxHxW[/sS][/pP]  convolution, F filters of H×W (conv:FxK for K×K), stride S (1), padding P (0)
        maxpool[:K[/sS]]      max pooling, K×K window (2), stride S (K)
        avgpool[:K[/sS]]      average pooling, K×K window (2), stride S (K)
        affine:N              fully connected, N outputs
        relu | sigmoid | tanh activation
        dropout[:R]           dropout with ratio R (0.5)
        batchnorm             batch normalization
        flatten               [C, H, W] → [C·H·W]
        """

    /// The layers in `text`, e.g. `"conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10"`.
    /// - Throws: ``LayerSpecError`` naming the first bad token and the expected syntax.
    public static func parse(_ text: String) throws(LayerSpecError) -> [LayerSpec] {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map { trimmed($0) }
        if tokens.allSatisfy(\.isEmpty) { throw .empty }
        var specs: [LayerSpec] = []
        for (i, token) in tokens.enumerated() {
            specs.append(try LayerSpec(parsing: token, position: i + 1))
        }
        return specs
    }

    /// One layer from its text, e.g. `"conv:16x3x3/s1/p1"`; `position` (1-based) is only
    /// used in error messages.
    public init(parsing token: String, position: Int = 1) throws(LayerSpecError) {
        let text = Self.trimmed(Substring(token)).lowercased()
        let (name, argument): (String, String?) = {
            guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }()
        func bad(_ expected: String) -> LayerSpecError {
            .badArguments(position: position, token: token, expected: expected)
        }
        func noArgument(_ spec: LayerSpec) throws(LayerSpecError) -> LayerSpec {
            if argument != nil { throw bad("\(name) (it takes no arguments)") }
            return spec
        }
        switch name {
        case "":
            throw .emptyToken(position: position)
        case "relu": self = try noArgument(.relu)
        case "sigmoid": self = try noArgument(.sigmoid)
        case "tanh": self = try noArgument(.tanh)
        case "batchnorm": self = try noArgument(.batchnorm)
        case "flatten": self = try noArgument(.flatten)
        case "conv":
            let expected = "conv:FILTERSxHEIGHTxWIDTH[/sSTRIDE][/pPAD], e.g. conv:16x3x3 or conv:16x3x3/s2/p1"
            guard let argument, let (main, options) = Self.splitOptions(argument, allowed: ["s", "p"]) else {
                throw bad(expected)
            }
            let sizes = String(main.map { $0 == "×" ? "x" : $0 }).split(separator: "x", omittingEmptySubsequences: false)
                .map { Int($0) }
            guard sizes.count == 2 || sizes.count == 3, let f = sizes[0], let h = sizes[1], let w = sizes[sizes.count - 1],
                  f >= 1, h >= 1, w >= 1 else { throw bad(expected) }
            let stride = options["s"] ?? 1, pad = options["p"] ?? 0
            guard stride >= 1, pad >= 0 else { throw bad(expected + " (stride ≥ 1, padding ≥ 0)") }
            self = .conv(filters: f, height: h, width: w, stride: stride, pad: pad)
        case "maxpool", "avgpool":
            let expected = "\(name):SIZE[/sSTRIDE], e.g. \(name):2 or \(name):3/s2"
            var size = 2, stride: Int?
            if let argument {
                guard let (main, options) = Self.splitOptions(argument, allowed: ["s"]), let k = Int(main), k >= 1 else {
                    throw bad(expected)
                }
                size = k
                stride = options["s"]
            }
            guard (stride ?? size) >= 1 else { throw bad(expected + " (stride ≥ 1)") }
            self = name == "maxpool" ? .maxpool(size: size, stride: stride ?? size) : .avgpool(size: size, stride: stride ?? size)
        case "affine":
            guard let argument, let n = Int(argument), n >= 1 else { throw bad("affine:OUTPUTS, e.g. affine:100") }
            self = .affine(outputs: n)
        case "dropout":
            var ratio = 0.5
            if let argument {
                guard let r = Double(argument), r >= 0, r < 1 else {
                    throw bad("dropout:RATIO with 0 ≤ RATIO < 1, e.g. dropout:0.5")
                }
                ratio = r
            }
            self = .dropout(ratio: ratio)
        default:
            throw .unknownLayer(position: position, token: token)
        }
    }

    /// Canonical text that ``parse(_:)`` reads back, e.g. `conv:16x3x3/p1`, `maxpool:2`.
    public var description: String {
        switch self {
        case let .conv(f, h, w, s, p):
            "conv:\(f)x\(h)x\(w)" + (s != 1 ? "/s\(s)" : "") + (p != 0 ? "/p\(p)" : "")
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case let .maxpool(k, s): "maxpool:\(k)" + (s != k ? "/s\(s)" : "")
        case let .avgpool(k, s): "avgpool:\(k)" + (s != k ? "/s\(s)" : "")
        case let .affine(n): "affine:\(n)"
        case let .dropout(r): "dropout:\(r)"
        case .batchnorm: "batchnorm"
        case .flatten: "flatten"
        }
    }

    /// A comma-separated list that ``parse(_:)`` reads back.
    public static func text(_ specs: [LayerSpec]) -> String {
        specs.map(\.description).joined(separator: ",")
    }

    /// The shape each layer produces for one sample of `inputShape` (`[C, H, W]` or `[D]`),
    /// in order. The last one must hold `classes` values.
    /// - Throws: ``LayerSpecError`` naming the first layer that does not fit.
    public static func outputShapes(_ specs: [LayerSpec], inputShape: [Int], classes: Int = 10) throws(LayerSpecError) -> [[Int]] {
        try LayerStack.shapes(specs, inputShape: inputShape, classes: classes)
    }

    // MARK: Parsing helpers

    static func trimmed(_ s: Substring) -> String {
        String(s.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// `"16x3x3/s2/p1"` → ("16x3x3", ["s": 2, "p": 1]); nil on unknown or repeated options.
    private static func splitOptions(_ argument: String, allowed: Set<Character>) -> (String, [Character: Int])? {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        var options: [Character: Int] = [:]
        for part in parts.dropFirst() {
            guard let key = part.first, allowed.contains(key), options[key] == nil,
                  let value = Int(part.dropFirst()) else { return nil }
            options[key] = value
        }
        return (String(parts[0]), options)
    }
}

/// Why a layer list cannot be parsed or built; the description names the layer
/// (1-based position and text) and the problem.
public enum LayerSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No layers at all.
    case empty
    /// Nothing between two commas.
    case emptyToken(position: Int)
    /// A name that is not a layer.
    case unknownLayer(position: Int, token: String)
    /// A known layer with arguments that do not parse.
    case badArguments(position: Int, token: String, expected: String)
    /// The input shape is neither `[C, H, W]` nor `[D]` with positive sizes.
    case invalidInputShape([Int])
    /// A layer that does not fit the shape the layers before it produce.
    case shape(position: Int, layer: String, problem: String)
    /// The last layer's output size is not the number of classes.
    case outputCount(layer: String, outputs: Int, classes: Int)

    public var description: String {
        switch self {
        case .empty:
            "no layers given; write them separated by commas, e.g. conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10"
        case let .emptyToken(position):
            "layer \(position) is empty (two commas in a row, or a comma at the end?)"
        case let .unknownLayer(position, token):
            "layer \(position) '\(token)' is not a layer; the layers are:\n\(LayerSpec.syntax)"
        case let .badArguments(position, token, expected):
            "layer \(position) '\(token)' is not valid: expected \(expected)"
        case let .invalidInputShape(shape):
            "the input shape \(shape) must be [C, H, W] (images) or [D] (vectors) with sizes of at least 1"
        case let .shape(position, layer, problem):
            "layer \(position) \(layer) \(problem)"
        case let .outputCount(layer, outputs, classes):
            "the last layer, \(layer), produces \(outputs) outputs but there are \(classes) classes; end with affine:\(classes)"
        }
    }
}

extension Sequential {
    /// A network built from a layer list, e.g. `LayerSpec.parse("conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10")`.
    ///
    /// Each `conv` and `affine` layer is numbered in order (`W1`, `b1`, `W2`, ...), with weights
    /// drawn by `weightInit` (fan-in C·FH·FW for convolutions, d_in for Affine) and zero
    /// biases; `batchnorm` layers are numbered on their own (`gamma1`, `beta1`, ...). The
    /// weights come from `seed`, each dropout layer's masks from `seed + 1000 + i`.
    /// - Parameters:
    ///   - inputShape: one sample, `[C, H, W]` (MNIST images: `[1, 28, 28]`) or `[D]`.
    ///   - classes: the outputs the last layer must produce.
    /// - Throws: ``LayerSpecError`` naming the first layer that does not fit its input
    ///   (e.g. "layer 4 maxpool:2 cannot pool a 1×1 input: ...") or a last layer with the
    ///   wrong number of outputs.
    public static func build(
        _ specs: [LayerSpec], inputShape: [Int] = [1, 28, 28], classes: Int = 10,
        weightInit: WeightInit = .he, seed: UInt64 = 0, weightDecay: WeightDecay = .none
    ) throws(LayerSpecError) -> Sequential<Scalar> {
        let layers: [any Layer<Scalar>] = try LayerStack.layers(specs, inputShape: inputShape, classes: classes,
                                                                weightInit: weightInit, seed: seed)
        return Sequential(layers, weightDecay: weightDecay)
    }

    /// ``build(_:inputShape:classes:weightInit:seed:weightDecay:)`` from text such as
    /// `"conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10"` (syntax: ``LayerSpec``).
    public static func build(
        _ text: String, inputShape: [Int] = [1, 28, 28], classes: Int = 10,
        weightInit: WeightInit = .he, seed: UInt64 = 0, weightDecay: WeightDecay = .none
    ) throws(LayerSpecError) -> Sequential<Scalar> {
        try build(LayerSpec.parse(text), inputShape: inputShape, classes: classes,
                  weightInit: weightInit, seed: seed, weightDecay: weightDecay)
    }
}

/// Shape checking and layer construction shared by ``Sequential/build(_:inputShape:classes:weightInit:seed:weightDecay:)``
/// and the course's convolutional networks.
enum LayerStack {
    /// The shape after each layer (one sample, no batch dimension).
    static func shapes(_ specs: [LayerSpec], inputShape: [Int], classes: Int) throws(LayerSpecError) -> [[Int]] {
        guard inputShape.count == 1 || inputShape.count == 3, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidInputShape(inputShape)
        }
        guard !specs.isEmpty else { throw .empty }
        var shape = inputShape
        var shapes: [[Int]] = []
        for (i, spec) in specs.enumerated() {
            shape = try outputShape(of: spec, input: shape, position: i + 1)
            shapes.append(shape)
        }
        let outputs = shape.reduce(1, *)
        if outputs != classes {
            throw .outputCount(layer: specs[specs.count - 1].description, outputs: outputs, classes: classes)
        }
        return shapes
    }

    private static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "a flat vector of \(shape[0]) values" : "a \(shape.map(String.init).joined(separator: "×")) input"
    }

    static func outputShape(of spec: LayerSpec, input shape: [Int], position: Int) throws(LayerSpecError) -> [Int] {
        func fail(_ problem: String) -> LayerSpecError { .shape(position: position, layer: spec.description, problem: problem) }
        switch spec {
        case let .conv(f, h, w, s, p):
            guard f >= 1 else { throw fail("needs at least 1 filter") }
            guard shape.count == 3 else {
                throw fail("needs an image input [C, H, W] but gets \(describe(shape)); put convolutions before the first affine or flatten")
            }
            do {
                let g = try ConvolutionGeometry(inputHeight: shape[1], inputWidth: shape[2], filterHeight: h,
                                                filterWidth: w, stride: s, pad: p)
                return [f, g.outputHeight, g.outputWidth]
            } catch {
                throw fail("does not fit its \(shape.map(String.init).joined(separator: "×")) input: \(error)")
            }
        case let .maxpool(k, s), let .avgpool(k, s):
            guard shape.count == 3 else { throw fail("cannot pool \(describe(shape)); pooling needs an image [C, H, W]") }
            let image = "a \(shape[1])×\(shape[2]) input"
            do {
                let g = try ConvolutionGeometry(inputHeight: shape[1], inputWidth: shape[2], filterHeight: k,
                                                filterWidth: k, stride: s, pad: 0)
                return [shape[0], g.outputHeight, g.outputWidth]
            } catch {
                switch error.reason {
                case .filterTooLarge:
                    throw fail("cannot pool \(image): the \(k)×\(k) window is larger than the input")
                case .notWhole:
                    throw fail("cannot pool \(image) evenly: "
                               + ConvolutionSizeError.formula(input: error.input[error.axis], filter: k, stride: s, pad: 0)
                               + "; change the window or stride, or the layers before it")
                default:
                    throw fail("cannot pool \(image): \(error)")
                }
            }
        case let .affine(n):
            guard n >= 1 else { throw fail("needs at least 1 output") }
            return [n]
        case let .dropout(r):
            guard r >= 0 && r < 1 else { throw fail("needs a ratio in [0, 1), got \(r)") }
            return shape
        case .relu, .sigmoid, .tanh, .batchnorm:
            return shape
        case .flatten:
            return [shape.reduce(1, *)]
        }
    }

    /// The layers for `specs`, after checking their shapes.
    static func layers<T: TensorScalar>(
        _ specs: [LayerSpec], inputShape: [Int], classes: Int, weightInit: WeightInit, seed: UInt64
    ) throws(LayerSpecError) -> [any Layer<T>] {
        _ = try shapes(specs, inputShape: inputShape, classes: classes)
        var rng = RandomGenerator(seed: seed)
        var shape = inputShape
        var weightIndex = 0, normIndex = 0, dropoutIndex = 0
        var layers: [any Layer<T>] = []
        for (i, spec) in specs.enumerated() {
            let next = try outputShape(of: spec, input: shape, position: i + 1)
            switch spec {
            case let .conv(f, h, w, s, p):
                weightIndex += 1
                layers.append(Convolution<T>(channels: shape[0], filters: f, filterHeight: h, filterWidth: w, stride: s,
                                             pad: p, initializer: weightInit, index: weightIndex, using: &rng))
            case let .affine(n):
                weightIndex += 1
                layers.append(Affine<T>(inputSize: shape.reduce(1, *), outputSize: n, initializer: weightInit,
                                        index: weightIndex, using: &rng))
            case let .maxpool(k, s): layers.append(MaxPooling<T>(size: k, stride: s))
            case let .avgpool(k, s): layers.append(AveragePooling<T>(size: k, stride: s))
            case .relu: layers.append(ReLU<T>())
            case .sigmoid: layers.append(Sigmoid<T>())
            case .tanh: layers.append(Tanh<T>())
            case let .dropout(r):
                layers.append(Dropout<T>(ratio: r, seed: seed &+ 1000 &+ UInt64(dropoutIndex)))
                dropoutIndex += 1
            case .batchnorm:
                normIndex += 1
                layers.append(BatchNormalization<T>(size: shape.reduce(1, *), index: normIndex))
            case .flatten: layers.append(Flatten<T>())
            }
            shape = next
        }
        return layers
    }
}
