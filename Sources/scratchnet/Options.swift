import ArgumentParser
import ScratchLab
import ScratchNN
import ScratchTrain

/// Where to take MNIST from (shared by every command that trains or evaluates).
struct DataOptionGroup: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: "Folder holding the four MNIST .gz files (else $SCRATCHNET_DATA, the cache, a download, or the bundled sample).")
    var dataDirectory: String?

    @Flag(help: "Use the bundled sample (first 5,000 training / 1,000 test images) even if full MNIST is available.")
    var sample = false

    @Flag(name: .customLong("no-download"), help: "Never download; fall back to the bundled sample instead.")
    var noDownload = false

    var options: DataOptions {
        DataOptions(dataDirectory: dataDirectory, sampleOnly: sample, allowDownload: !noDownload)
    }
}

/// The network, optimizer and loop settings of a multi-layer-net training run.
struct NetworkOptionGroup: ParsableArguments {
    @Option(help: "Hidden layer sizes, comma-separated, for a 784-…-10 network. (default: 40,20)", transform: parseSizes)
    var hidden: [Int] = [40, 20]

    @Option(help: "Activation after each hidden layer: sigmoid, relu or tanh.")
    var activation: Activation = .relu

    @Option(name: .customLong("init"), help: "Weight initialization: gaussian (see --init-std), xavier, he or zeros.")
    var weightInit: InitChoice = .he

    @Option(name: .customLong("init-std"), help: "Standard deviation for --init gaussian.")
    var initStd: Double = 0.01

    @Flag(name: .customLong("batch-norm"), help: "Insert batch normalization after each hidden Affine layer.")
    var batchNorm = false

    @Option(help: "Dropout ratio after each hidden activation (course form, not inverted), e.g. 0.15. (default: none)")
    var dropout: Double?

    @Option(name: .customLong("weight-decay"),
            help: "Weight decay: l2:λ, l1:λ, both comma-separated (e.g. l2:0.1 or l1:0.004), or none. (default: none)",
            transform: parseWeightDecay)
    var weightDecay: WeightDecay = .none

    @Option(help: ArgumentHelp(
        "Any stack of layers instead of --hidden/--activation/--batch-norm/--dropout, e.g. conv:16x3x3,relu,maxpool:2,affine:100,relu,affine:10.",
        discussion: LayerSpec.syntax))
    var layers: String?

    @Option(help: "Optimizer: sgd, momentum, nesterov, adagrad, rmsprop or adam.")
    var optimizer: OptimizerChoice = .sgd

    @Option(name: .customLong("lr"), help: "Learning rate.")
    var learningRate: Double = 0.1

    @Option(help: "Momentum μ for momentum and nesterov.")
    var momentum: Double = 0.9

    @Option(help: "Decay ρ of RMSProp's moving average.")
    var decay: Double = 0.99

    @Option(help: "Adam's β₁.")
    var beta1: Double = 0.9

    @Option(help: "Adam's β₂.")
    var beta2: Double = 0.999

    func validate() throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--lr must be a positive number (got \(learningRate)); the course uses 0.1 for SGD and 0.001–0.01 for Adam.")
        }
        guard initStd > 0, initStd.isFinite else {
            throw ValidationError("--init-std must be a positive number (got \(initStd)); the course uses 0.01.")
        }
        if let dropout, !(dropout >= 0 && dropout < 1) {
            throw ValidationError("--dropout must be in [0, 1) (got \(dropout)); the course uses 0.15.")
        }
        guard (0..<1).contains(momentum) else {
            throw ValidationError("--momentum must be in [0, 1) (got \(momentum)); the course uses 0.9.")
        }
        guard (0...1).contains(decay) else {
            throw ValidationError("--decay must be in [0, 1] (got \(decay)); the course uses 0.99.")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw ValidationError("--beta1 and --beta2 must be in [0, 1) (got \(beta1), \(beta2)); Adam's defaults are 0.9 and 0.999.")
        }
    }

    /// The network the options describe; `--layers` text is checked against MNIST's shape.
    func model() throws -> Model {
        guard let layers else {
            return .multiLayer(MultiLayerNetConfiguration(
                inputSize: 784, hiddenSizes: hidden, outputSize: 10, activation: activation,
                weightInit: weightInit.weightInit(std: initStd), batchNorm: batchNorm, dropout: dropout,
                weightDecay: weightDecay))
        }
        let specs = try LayerSpec.parse(layers)
        // Convolutions and pooling need images; a stack of Affine layers takes flat vectors.
        let spatial = specs.contains { spec in
            switch spec {
            case .conv, .maxpool, .avgpool: true
            default: false
            }
        }
        let inputShape = spatial ? [1, 28, 28] : [784]
        _ = try LayerSpec.outputShapes(specs, inputShape: inputShape, classes: 10)
        return .custom(layers: specs, inputShape: inputShape, weightInit: weightInit.weightInit(std: initStd),
                       weightDecay: weightDecay)
    }

    var optimizerKind: OptimizerKind {
        switch optimizer {
        case .sgd: .sgd(learningRate: learningRate)
        case .momentum: .momentum(learningRate: learningRate, momentum: momentum)
        case .nesterov: .nesterov(learningRate: learningRate, momentum: momentum)
        case .adagrad: .adagrad(learningRate: learningRate)
        case .rmsprop: .rmsprop(learningRate: learningRate, decay: decay)
        case .adam: .adam(learningRate: learningRate, beta1: beta1, beta2: beta2)
        }
    }
}

enum InitChoice: String, CaseIterable, ExpressibleByArgument {
    case gaussian, xavier, he, zeros

    func weightInit(std: Double) -> WeightInit {
        switch self {
        case .gaussian: .gaussian(std: std)
        case .xavier: .xavier
        case .he: .he
        case .zeros: .zeros
        }
    }
}

enum OptimizerChoice: String, CaseIterable, ExpressibleByArgument {
    case sgd, momentum, nesterov, adagrad, rmsprop, adam
}

enum PrecisionChoice: String, CaseIterable, ExpressibleByArgument {
    case float32, float64
    var precision: Precision {
        switch self {
        case .float32: .float32
        case .float64: .float64
        }
    }
}

extension Activation: ExpressibleByArgument {}

/// Parses "40,20" into [40, 20], rejecting empty lists and non-positive sizes.
func parseSizes(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("--hidden needs at least one layer size, e.g. --hidden 40,20.")
    }
    return try parts.map { part in
        guard let size = Int(part), size > 0 else {
            throw ValidationError("--hidden sizes must be positive whole numbers separated by commas (got \"\(text)\"), e.g. --hidden 40,20.")
        }
        return size
    }
}

/// Parses "l2:0.1", "l1:0.005" or "l2:0.1,l1:0.004" (λ ≥ 0), or "none" (the default the help shows).
func parseWeightDecay(_ text: String) throws -> WeightDecay {
    var decay = WeightDecay.none
    if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return decay }
    for term in text.split(separator: ",") {
        let pieces = term.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard pieces.count == 2, let lambda = Double(pieces[1]), lambda >= 0, lambda.isFinite else {
            throw ValidationError("--weight-decay must look like l2:0.1, l1:0.005, l2:0.1,l1:0.004 or none (got \"\(text)\").")
        }
        switch pieces[0] {
        case "l2": decay.l2 = lambda
        case "l1": decay.l1 = lambda
        default:
            throw ValidationError("--weight-decay term \"\(term)\" must start with l1: or l2: (e.g. l2:0.1).")
        }
    }
    return decay
}
