import ScratchTensor

/// The course's fully connected network (book: `MultiLayerNet` and
/// `MultiLayerNetExtend`), used by hands-ons 2_2–2_5.
///
/// For each hidden size: `Affine → [BatchNormalization] → activation → [Dropout]`,
/// then a final `Affine → SoftmaxWithLoss`. Shapes: `[N, inputSize]` → `[N, outputSize]`.
public final class MultiLayerNet<Scalar: TensorScalar>: Network {
    public typealias Configuration = MultiLayerNetConfiguration

    public let configuration: Configuration
    public let layers: [any Layer<Scalar>]
    public let lossLayer = SoftmaxWithLoss<Scalar>()
    public var weightDecay: WeightDecay { configuration.weightDecay }

    /// Builds the network, drawing its initial weights from `seed`.
    public init(_ configuration: Configuration, seed: UInt64 = 0) {
        self.configuration = configuration
        var rng = RandomGenerator(seed: seed)
        var layers: [any Layer<Scalar>] = []
        var inputSize = configuration.inputSize
        for (i, size) in configuration.hiddenSizes.enumerated() {
            layers.append(Affine<Scalar>(inputSize: inputSize, outputSize: size,
                                         initializer: configuration.weightInit, index: i + 1, using: &rng))
            if configuration.batchNorm { layers.append(BatchNormalization<Scalar>(size: size, index: i + 1)) }
            layers.append(configuration.activation.makeLayer(Scalar.self))
            if let ratio = configuration.dropout {
                layers.append(Dropout<Scalar>(ratio: ratio, seed: seed &+ 1000 &+ UInt64(i)))
            }
            inputSize = size
        }
        layers.append(Affine<Scalar>(inputSize: inputSize, outputSize: configuration.outputSize,
                                     initializer: configuration.weightInit,
                                     index: configuration.hiddenSizes.count + 1, using: &rng))
        self.layers = layers
    }

    /// The course's positional form:
    /// `MultiLayerNet(inputSize: 784, hiddenSizes: [40, 20], outputSize: 10, activation: .relu, weightInit: .he)`.
    public convenience init(
        inputSize: Int, hiddenSizes: [Int], outputSize: Int,
        activation: Activation, weightInit: WeightInit, seed: UInt64 = 0
    ) {
        self.init(Configuration(inputSize: inputSize, hiddenSizes: hiddenSizes, outputSize: outputSize,
                                activation: activation, weightInit: weightInit), seed: seed)
    }
}

/// Everything that defines a ``MultiLayerNet``'s structure and initial weights
/// (independent of its precision).
public struct MultiLayerNetConfiguration: Sendable, Equatable {
    public var inputSize: Int
    public var hiddenSizes: [Int]
    public var outputSize: Int
    public var activation: Activation
    public var weightInit: WeightInit
    /// Insert batch normalization after each hidden Affine layer (2_3).
    public var batchNorm: Bool
    /// Dropout ratio after each hidden activation, or nil for none (2_5).
    public var dropout: Double?
    public var weightDecay: WeightDecay

    public init(
        inputSize: Int = 784, hiddenSizes: [Int], outputSize: Int = 10,
        activation: Activation, weightInit: WeightInit,
        batchNorm: Bool = false, dropout: Double? = nil, weightDecay: WeightDecay = .none
    ) {
        self.inputSize = inputSize
        self.hiddenSizes = hiddenSizes
        self.outputSize = outputSize
        self.activation = activation
        self.weightInit = weightInit
        self.batchNorm = batchNorm
        self.dropout = dropout
        self.weightDecay = weightDecay
    }
}
