import ScratchNN
import ScratchTensor
import ScratchTrain

/// One training run of a ``MultiLayerNet``: the network, the optimizer and the
/// loop's settings as typed values (what `scratchnet train` builds from its
/// options, and what each hands-on variant is).
public struct TrainingJob: Sendable, Equatable {
    public var network: MultiLayerNetConfiguration
    public var optimizer: OptimizerKind
    public var training: TrainingConfiguration
    /// Train on only the first `n` training images (2_5 uses 300), or all when nil.
    public var trainingSubset: Int?

    public init(network: MultiLayerNetConfiguration, optimizer: OptimizerKind,
                training: TrainingConfiguration, trainingSubset: Int? = nil) {
        self.network = network
        self.optimizer = optimizer
        self.training = training
        self.trainingSubset = trainingSubset
    }

    /// Builds the network (initial weights drawn from the training seed) and trains it.
    public func run<T: TensorScalar>(
        on data: LoadedData<T>,
        onRecord: (Record, MultiLayerNet<T>) -> Void = { _, _ in },
        onProgress: (TrainingProgress) -> Void = { _ in }
    ) -> (history: History, network: MultiLayerNet<T>) {
        let network = MultiLayerNet<T>(self.network, seed: training.seed)
        var optimizer = self.optimizer.make(T.self)
        let trainingSet = trainingSubset.map { data.training.prefix($0) } ?? data.training
        let history = Trainer<MultiLayerNet<T>>(training).train(
            network, optimizer: &optimizer, training: trainingSet, test: data.test,
            onRecord: onRecord, onProgress: onProgress)
        return (history, network)
    }

    /// The settings as name–value pairs for reports and history.json.
    public var settings: [String: String] {
        var s: [String: String] = [
            "network": "\(network.inputSize)-\(network.hiddenSizes.map(String.init).joined(separator: "-"))-\(network.outputSize)",
            "activation": network.activation.rawValue,
            "weight_init": "\(network.weightInit)",
            "optimizer": optimizer.description,
            "batch_size": "\(training.batchSize)",
            "evaluate_every": "\(training.evaluateEvery)",
            "seed": "\(training.seed)",
            "batch_norm": "\(network.batchNorm)",
            "weight_decay": network.weightDecay.description,
            "dropout": network.dropout.map { "\($0)" } ?? "none",
            "train_accuracy_on": training.trainAccuracySource.rawValue,
        ]
        switch training.schedule {
        case .iterations(let n): s["iterations"] = "\(n) (minibatches drawn with replacement)"
        case .epochs(let n): s["epochs"] = "\(n) (shuffled, without replacement)"
        }
        if let n = trainingSubset { s["training_subset"] = "first \(n) images" }
        return s
    }
}
