import ScratchNN
import ScratchTensor

/// The network a job trains, as typed data: the course's networks with their
/// configurations, or any stack of layers written as ``LayerSpec`` text.
public enum Model: Sendable, Equatable {
    case multiLayer(MultiLayerNetConfiguration)
    case simpleConv(SimpleConvNetConfiguration)
    case doubleConv(DoubleConvNetConfiguration)
    case deepConv(DeepConvNetConfiguration)
    case alexNet(MiniAlexNetConfiguration)
    /// Your own stack, e.g. `conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10`.
    case custom(layers: [LayerSpec], inputShape: [Int], weightInit: WeightInit, weightDecay: WeightDecay)

    /// Builds the network with initial weights (and dropout masks) drawn from `seed`.
    /// - Throws: ``ScratchNN/LayerSpecError`` when the layers' shapes do not chain.
    public func make<T: TensorScalar>(seed: UInt64, as _: T.Type = T.self) throws -> any Network<T> {
        switch self {
        case .multiLayer(let c): MultiLayerNet<T>(c, seed: seed)
        case .simpleConv(let c): try SimpleConvNet<T>(c, seed: seed)
        case .doubleConv(let c): try DoubleConvNet<T>(c, seed: seed)
        case .deepConv(let c): try DeepConvNet<T>(c, seed: seed)
        case .alexNet(let c): try MiniAlexNet<T>(c, seed: seed)
        case .custom(let layers, let inputShape, let weightInit, let weightDecay):
            try Sequential<T>.build(layers, inputShape: inputShape, weightInit: weightInit, seed: seed, weightDecay: weightDecay)
        }
    }

    /// The network's name, e.g. "SimpleConvNet".
    public var name: String {
        switch self {
        case .multiLayer: "MultiLayerNet"
        case .simpleConv: "SimpleConvNet"
        case .doubleConv: "DoubleConvNet"
        case .deepConv: "DeepConvNet"
        case .alexNet: "MiniAlexNet"
        case .custom: "Sequential"
        }
    }

    /// One sample's shape: `[784]` for the fully connected nets, `[1, 28, 28]` for CNNs.
    public var inputShape: [Int] {
        switch self {
        case .multiLayer(let c): [c.inputSize]
        case .simpleConv(let c): c.inputShape
        case .doubleConv(let c): c.inputShape
        case .deepConv(let c): c.inputShape
        case .alexNet(let c): c.inputShape
        case .custom(_, let inputShape, _, _): inputShape
        }
    }

    /// The layers as a ``LayerSpec`` list (what a checkpoint records).
    public var layerSpecs: [LayerSpec] {
        switch self {
        case .multiLayer(let c):
            c.hiddenSizes.flatMap { size -> [LayerSpec] in
                var specs: [LayerSpec] = [.affine(outputs: size)]
                if c.batchNorm { specs.append(.batchnorm) }
                let activation: LayerSpec = switch c.activation {
                case .relu: .relu
                case .sigmoid: .sigmoid
                case .tanh: .tanh
                }
                specs.append(activation)
                if let ratio = c.dropout { specs.append(.dropout(ratio: ratio)) }
                return specs
            } + [.affine(outputs: c.outputSize)]
        case .simpleConv(let c): c.layerSpecs
        case .doubleConv(let c): c.layerSpecs
        case .deepConv(let c): c.layerSpecs
        case .alexNet(let c): c.layerSpecs
        case .custom(let layers, _, _, _): layers
        }
    }

    public var weightInit: WeightInit {
        switch self {
        case .multiLayer(let c): c.weightInit
        case .simpleConv(let c): c.weightInit
        case .doubleConv(let c): c.weightInit
        case .deepConv(let c): c.weightInit
        case .alexNet(let c): c.weightInit
        case .custom(_, _, let w, _): w
        }
    }

    public var weightDecay: WeightDecay {
        switch self {
        case .multiLayer(let c): c.weightDecay
        case .simpleConv(let c): c.weightDecay
        case .doubleConv(let c): c.weightDecay
        case .deepConv(let c): c.weightDecay
        case .alexNet(let c): c.weightDecay
        case .custom(_, _, _, let d): d
        }
    }

    /// The fully connected configuration, when this is a ``MultiLayerNet``.
    public var multiLayer: MultiLayerNetConfiguration? {
        if case .multiLayer(let c) = self { c } else { nil }
    }

    /// Whether the network contains dropout layers.
    public var usesDropout: Bool {
        layerSpecs.contains { if case .dropout = $0 { true } else { false } }
    }

    /// Whether the network is convolutional (its samples are images, not vectors).
    public var isConvolutional: Bool { inputShape.count == 3 }

    /// Name–value pairs describing the network, for reports and history.json.
    public var settings: [String: String] {
        var s: [String: String] = [
            "network": name,
            "layers": LayerSpec.text(layerSpecs),
            "weight_init": "\(weightInit)",
            "weight_decay": weightDecay.description,
        ]
        if let c = multiLayer {
            s["layers"] = "\(c.inputSize)-\(c.hiddenSizes.map(String.init).joined(separator: "-"))-\(c.outputSize)"
            s["activation"] = c.activation.rawValue
            s["batch_norm"] = "\(c.batchNorm)"
            s["dropout"] = c.dropout.map { "\($0)" } ?? "none"
        }
        return s
    }
}
