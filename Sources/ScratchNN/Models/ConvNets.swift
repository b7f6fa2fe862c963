import ScratchTensor

// The course's convolutional networks (2_6 SimpleConvNet, 2_7 DoubleConvNet, 2_8 DeepConvNet,
// Section 5 AlexNet). Each is a typed configuration with the course's defaults that
// describes the network as a ``LayerSpec`` list, and a ``Network`` built from it.

/// One convolution of a configuration: `filters` filters of `height × width`.
public struct ConvolutionSettings: Sendable, Equatable {
    public var filters: Int
    public var height: Int
    public var width: Int
    public var stride: Int
    public var pad: Int

    /// `filters` square `size × size` filters.
    public init(filters: Int, size: Int, stride: Int = 1, pad: Int = 0) {
        self.init(filters: filters, height: size, width: size, stride: stride, pad: pad)
    }

    public init(filters: Int, height: Int, width: Int, stride: Int = 1, pad: Int = 0) {
        self.filters = filters
        self.height = height
        self.width = width
        self.stride = stride
        self.pad = pad
    }

    public var layerSpec: LayerSpec { .conv(filters: filters, height: height, width: width, stride: stride, pad: pad) }
}

/// One pooling layer of a configuration: a `size × size` window moved by `stride`.
public struct PoolingSettings: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case max, average }
    public var kind: Kind
    public var size: Int
    public var stride: Int

    /// A `size × size` window moved by `stride` (default: `size`). Every course network
    /// uses max pooling with 2×2 windows and stride 2.
    public init(_ kind: Kind = .max, size: Int = 2, stride: Int? = nil) {
        self.kind = kind
        self.size = size
        self.stride = stride ?? size
    }

    public var layerSpec: LayerSpec {
        kind == .max ? .maxpool(size: size, stride: stride) : .avgpool(size: size, stride: stride)
    }
}

/// Convolutions, each followed by ReLU, then one pooling layer.
public struct ConvolutionBlock: Sendable, Equatable {
    public var convolutions: [ConvolutionSettings]
    public var pool: PoolingSettings

    public init(_ convolutions: [ConvolutionSettings], pool: PoolingSettings = PoolingSettings()) {
        self.convolutions = convolutions
        self.pool = pool
    }

    /// `conv, relu, conv, relu, ..., pool`.
    public var layerSpecs: [LayerSpec] { convolutions.flatMap { [$0.layerSpec, .relu] } + [pool.layerSpec] }
}

/// What the course's convolutional networks have in common: a configuration that
/// describes the layers as a ``LayerSpec`` list, with the input shape and initializer.
public protocol ConvNetConfiguration: Sendable, Equatable {
    /// The course's settings.
    init()
    /// One sample, `[C, H, W]` (MNIST: `[1, 28, 28]`).
    var inputShape: [Int] { get }
    /// Number of classes.
    var outputSize: Int { get }
    /// How every convolution and Affine weight starts (fan-in C·FH·FW or d_in).
    var weightInit: WeightInit { get }
    var weightDecay: WeightDecay { get }
    /// The network as a layer list (without the final SoftmaxWithLoss).
    var layerSpecs: [LayerSpec] { get }
}

extension ConvNetConfiguration {
    /// The layer list as text, e.g. `conv:30x5x5,relu,maxpool:2,affine:100,relu,affine:10`.
    public var layerText: String { LayerSpec.text(layerSpecs) }

    /// The shape each layer produces for one sample.
    /// - Throws: ``LayerSpecError`` when a layer does not fit (a variant with other sizes).
    public func outputShapes() throws(LayerSpecError) -> [[Int]] {
        try LayerSpec.outputShapes(layerSpecs, inputShape: inputShape, classes: outputSize)
    }

    func makeLayers<T: TensorScalar>(seed: UInt64) throws(LayerSpecError) -> [any Layer<T>] {
        try LayerStack.layers(layerSpecs, inputShape: inputShape, classes: outputSize, weightInit: weightInit, seed: seed)
    }
}

/// A course convolutional network: the layers its configuration describes, then
/// SoftmaxWithLoss. ``SimpleConvNet``, ``DoubleConvNet``, ``DeepConvNet`` and
/// ``MiniAlexNet`` are this class with their configurations.
public final class ConvNet<Configuration: ConvNetConfiguration, Scalar: TensorScalar>: Network {
    public let configuration: Configuration
    public let layers: [any Layer<Scalar>]
    public let lossLayer = SoftmaxWithLoss<Scalar>()
    public var weightDecay: WeightDecay { configuration.weightDecay }

    /// Builds the network, drawing its initial weights from `seed` and the dropout masks
    /// (if any) from `seed + 1000 + i`.
    /// - Throws: ``LayerSpecError`` when a configured size does not fit the input.
    public init(_ configuration: Configuration = Configuration(), seed: UInt64 = 0) throws(LayerSpecError) {
        self.configuration = configuration
        self.layers = try configuration.makeLayers(seed: seed)
    }
}

// MARK: - 2_6 SimpleConvNet

/// The course's simple CNN (hands-on 2_6; book `SimpleConvNet`):
///
/// ```
/// Convolution 30×5×5 (pad 0, stride 1) → ReLU → MaxPooling 2×2 (stride 2)
///   → Affine 100 → ReLU → Affine 10 → SoftmaxWithLoss
/// ```
/// Shapes (MNIST): `[N, 1, 28, 28]` → conv `[N, 30, 24, 24]` → pool `[N, 30, 12, 12]`
/// → `[N, 100]` → `[N, 10]`. Weights 0.01·N(0, 1), biases 0; parameters `W1, b1` (conv),
/// `W2, b2`, `W3, b3`. The course trains it with Adam (lr 0.001) on the first 5000 training
/// images: ≈0.965 test accuracy after 1000 iterations.
public typealias SimpleConvNet<Scalar: TensorScalar> = ConvNet<SimpleConvNetConfiguration, Scalar>

/// ``SimpleConvNet``'s structure and initial weights, with the course's defaults.
public struct SimpleConvNetConfiguration: ConvNetConfiguration {
    public var inputShape: [Int]
    public var convolution: ConvolutionSettings
    public var pool: PoolingSettings
    public var hiddenSize: Int
    public var outputSize: Int
    public var weightInit: WeightInit
    public var weightDecay: WeightDecay

    public init(
        inputShape: [Int] = [1, 28, 28],
        convolution: ConvolutionSettings = ConvolutionSettings(filters: 30, size: 5, stride: 1, pad: 0),
        pool: PoolingSettings = PoolingSettings(.max, size: 2, stride: 2),
        hiddenSize: Int = 100, outputSize: Int = 10,
        weightInit: WeightInit = .gaussian(std: 0.01), weightDecay: WeightDecay = .none
    ) {
        self.inputShape = inputShape
        self.convolution = convolution
        self.pool = pool
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
        self.weightInit = weightInit
        self.weightDecay = weightDecay
    }

    public var layerSpecs: [LayerSpec] {
        [convolution.layerSpec, .relu, pool.layerSpec, .affine(outputs: hiddenSize), .relu, .affine(outputs: outputSize)]
    }
}

// MARK: - 2_7 DoubleConvNet

/// The course's two-convolution CNN (hands-on 2_7, `DoubleConvNet`):
///
/// ```
/// Convolution 10×7×7 (pad 1) → ReLU → MaxPooling 2×2
///   → Convolution 20×3×3 (pad 1) → ReLU → MaxPooling 2×2
///   → Affine 100 → ReLU → Affine 10 → SoftmaxWithLoss
/// ```
/// Shapes (MNIST): `[N, 1, 28, 28]` → `[N, 10, 24, 24]` → `[N, 10, 12, 12]` → `[N, 20, 12, 12]`
/// → `[N, 20, 6, 6]` → `[N, 100]` → `[N, 10]`. Weights 0.01·N(0, 1) as in 2_6; parameters
/// `W1…W4`. In the course it learns more slowly per iteration than SimpleConvNet.
public typealias DoubleConvNet<Scalar: TensorScalar> = ConvNet<DoubleConvNetConfiguration, Scalar>

/// ``DoubleConvNet``'s structure and initial weights, with the course's defaults.
public struct DoubleConvNetConfiguration: ConvNetConfiguration {
    public var inputShape: [Int]
    /// Each convolution is followed by ReLU and `pool`.
    public var convolutions: [ConvolutionSettings]
    public var pool: PoolingSettings
    public var hiddenSize: Int
    public var outputSize: Int
    public var weightInit: WeightInit
    public var weightDecay: WeightDecay

    public init(
        inputShape: [Int] = [1, 28, 28],
        convolutions: [ConvolutionSettings] = [ConvolutionSettings(filters: 10, size: 7, pad: 1),
                                               ConvolutionSettings(filters: 20, size: 3, pad: 1)],
        pool: PoolingSettings = PoolingSettings(.max, size: 2, stride: 2),
        hiddenSize: Int = 100, outputSize: Int = 10,
        weightInit: WeightInit = .gaussian(std: 0.01), weightDecay: WeightDecay = .none
    ) {
        self.inputShape = inputShape
        self.convolutions = convolutions
        self.pool = pool
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
        self.weightInit = weightInit
        self.weightDecay = weightDecay
    }

    public var layerSpecs: [LayerSpec] {
        convolutions.flatMap { [$0.layerSpec, .relu, pool.layerSpec] }
            + [.affine(outputs: hiddenSize), .relu, .affine(outputs: outputSize)]
    }
}

// MARK: - 2_8 DeepConvNet

/// The course's deep CNN (hands-on 2_8; book `DeepConvNet`, §8.1):
///
/// ```
/// conv 16×3×3 (pad 1) → ReLU → conv 16×3×3 (pad 1) → ReLU → MaxPooling 2×2
/// → conv 32×3×3 (pad 1) → ReLU → conv 32×3×3 (pad 2) → ReLU → MaxPooling 2×2
/// → conv 64×3×3 (pad 1) → ReLU → conv 64×3×3 (pad 1) → ReLU → MaxPooling 2×2
/// → Affine 50 → ReLU → Dropout 0.5 → Affine 10 → Dropout 0.5 → SoftmaxWithLoss
/// ```
/// Shapes (MNIST): 28×28 → 14×14 → (pad 2) 16×16 → 8×8 → 4×4, so the first Affine reads
/// 64·4·4 = 1024 values. He initialization with fan-in C·FH·FW (the book's
/// `pre_node_nums`), parameters `W1…W8`. The dropout after the last Affine is the book's;
/// at inference it scales the scores by 0.5, which leaves the predicted class unchanged.
/// The book reports above 99% test accuracy on full MNIST.
public typealias DeepConvNet<Scalar: TensorScalar> = ConvNet<DeepConvNetConfiguration, Scalar>

/// ``DeepConvNet``'s structure and initial weights, with the book's defaults.
public struct DeepConvNetConfiguration: ConvNetConfiguration {
    public var inputShape: [Int]
    public var blocks: [ConvolutionBlock]
    public var hiddenSize: Int
    /// Dropout ratio after the hidden Affine's ReLU and after the output Affine (nil: none).
    public var dropout: Double?
    public var outputSize: Int
    public var weightInit: WeightInit
    public var weightDecay: WeightDecay

    public init(
        inputShape: [Int] = [1, 28, 28],
        blocks: [ConvolutionBlock] = [
            ConvolutionBlock([ConvolutionSettings(filters: 16, size: 3, pad: 1), ConvolutionSettings(filters: 16, size: 3, pad: 1)]),
            ConvolutionBlock([ConvolutionSettings(filters: 32, size: 3, pad: 1), ConvolutionSettings(filters: 32, size: 3, pad: 2)]),
            ConvolutionBlock([ConvolutionSettings(filters: 64, size: 3, pad: 1), ConvolutionSettings(filters: 64, size: 3, pad: 1)]),
        ],
        hiddenSize: Int = 50, dropout: Double? = 0.5, outputSize: Int = 10,
        weightInit: WeightInit = .he, weightDecay: WeightDecay = .none
    ) {
        self.inputShape = inputShape
        self.blocks = blocks
        self.hiddenSize = hiddenSize
        self.dropout = dropout
        self.outputSize = outputSize
        self.weightInit = weightInit
        self.weightDecay = weightDecay
    }

    public var layerSpecs: [LayerSpec] {
        let drop: [LayerSpec] = dropout.map { [.dropout(ratio: $0)] } ?? []
        return blocks.flatMap(\.layerSpecs)
            + [.affine(outputs: hiddenSize), .relu] + drop + [.affine(outputs: outputSize)] + drop
    }
}

// MARK: - Section 5 AlexNet, scaled to MNIST

/// An AlexNet-style network for 28×28 images (course Section 5).
///
/// ```
/// conv 32×3×3 (pad 1) → ReLU → MaxPooling 2×2                        28×28 → 14×14
/// → conv 64×3×3 (pad 1) → ReLU → MaxPooling 2×2                      14×14 → 7×7
/// → conv 128×3×3 (pad 1) → ReLU, three times → MaxPooling 3×3 stride 2  7×7 → 3×3
/// → Affine 256 → ReLU → Dropout 0.5 → Affine 128 → ReLU → Dropout 0.5 → Affine 10
/// ```
/// How it maps to AlexNet (Krizhevsky, Sutskever & Hinton, "ImageNet Classification with
/// Deep Convolutional Neural Networks", NIPS 2012), the ImageNet 2012 winner the notes
/// describe: the same shape of network — stacked convolution + ReLU + max-pooling blocks,
/// three convolutions in a row before the last pooling, overlapping 3×3/stride-2 max
/// pooling, then fully connected layers with dropout 0.5 to curb overfitting — but much
/// smaller: 1 input channel instead of 3, 3×3 filters instead of 11×11 and 5×5, tens of
/// filters instead of 96–384, 256/128 hidden units instead of 4096, about 0.7 M parameters
/// instead of 60 M, and no local response normalization or two-GPU split.
/// He initialization; parameters `W1…W8`.
public typealias MiniAlexNet<Scalar: TensorScalar> = ConvNet<MiniAlexNetConfiguration, Scalar>

/// ``MiniAlexNet``'s structure and initial weights.
public struct MiniAlexNetConfiguration: ConvNetConfiguration {
    public var inputShape: [Int]
    public var blocks: [ConvolutionBlock]
    /// Each hidden Affine is followed by ReLU and dropout.
    public var hiddenSizes: [Int]
    public var dropout: Double?
    public var outputSize: Int
    public var weightInit: WeightInit
    public var weightDecay: WeightDecay

    public init(
        inputShape: [Int] = [1, 28, 28],
        blocks: [ConvolutionBlock] = [
            ConvolutionBlock([ConvolutionSettings(filters: 32, size: 3, pad: 1)]),
            ConvolutionBlock([ConvolutionSettings(filters: 64, size: 3, pad: 1)]),
            ConvolutionBlock(Array(repeating: ConvolutionSettings(filters: 128, size: 3, pad: 1), count: 3),
                             pool: PoolingSettings(.max, size: 3, stride: 2)),
        ],
        hiddenSizes: [Int] = [256, 128], dropout: Double? = 0.5, outputSize: Int = 10,
        weightInit: WeightInit = .he, weightDecay: WeightDecay = .none
    ) {
        self.inputShape = inputShape
        self.blocks = blocks
        self.hiddenSizes = hiddenSizes
        self.dropout = dropout
        self.outputSize = outputSize
        self.weightInit = weightInit
        self.weightDecay = weightDecay
    }

    public var layerSpecs: [LayerSpec] {
        let drop: [LayerSpec] = dropout.map { [.dropout(ratio: $0)] } ?? []
        return blocks.flatMap(\.layerSpecs)
            + hiddenSizes.flatMap { [.affine(outputs: $0), .relu] + drop }
            + [.affine(outputs: outputSize)]
    }
}

// `ConvNetConfiguration.init()`: the course's settings (a protocol requirement is not met by an
// initializer whose parameters all have defaults).
extension SimpleConvNetConfiguration { public init() { self.init(inputShape: [1, 28, 28]) } }
extension DoubleConvNetConfiguration { public init() { self.init(inputShape: [1, 28, 28]) } }
extension DeepConvNetConfiguration { public init() { self.init(inputShape: [1, 28, 28]) } }
extension MiniAlexNetConfiguration { public init() { self.init(inputShape: [1, 28, 28]) } }
