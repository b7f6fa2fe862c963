import ScratchNN
import ScratchTensor
import ScratchTrain

/// One training run: the network, the optimizer and the loop's settings as
/// typed values (what `scratchnet train` builds from its options, and what
/// each hands-on variant is).
public struct TrainingJob: Sendable, Equatable {
    public var model: Model
    public var optimizer: OptimizerKind
    public var training: TrainingConfiguration
    /// Train on only the first `n` training images (2_5 uses 300, 2_6 5,000), or all when nil.
    public var trainingSubset: Int?
    /// Evaluate on only the first `n` test images (2_6 uses 1,000), or all when nil.
    public var testSubset: Int?

    public init(model: Model, optimizer: OptimizerKind, training: TrainingConfiguration,
                trainingSubset: Int? = nil, testSubset: Int? = nil) {
        self.model = model
        self.optimizer = optimizer
        self.training = training
        self.trainingSubset = trainingSubset
        self.testSubset = testSubset
    }

    /// A fully connected network's job.
    public init(network: MultiLayerNetConfiguration, optimizer: OptimizerKind,
                training: TrainingConfiguration, trainingSubset: Int? = nil) {
        self.init(model: .multiLayer(network), optimizer: optimizer, training: training, trainingSubset: trainingSubset)
    }

    /// Builds the network (initial weights drawn from the training seed) and trains it.
    /// - Throws: ``ScratchNN/LayerSpecError`` when the model's layers do not fit its input.
    public func run<T: TensorScalar>(
        on data: LoadedData<T>,
        onRecord: (Record, any Network<T>) -> Void = { _, _ in },
        onProgress: (TrainingProgress) -> Void = { _ in }
    ) throws -> (history: History, network: any Network<T>) {
        let network = try model.make(seed: training.seed, as: T.self)
        let (trainingSet, testSet) = prepared(data)
        let history = train(network, trainingSet, testSet, onRecord: onRecord, onProgress: onProgress)
        return (history, network)
    }

    /// The training and test sets this job uses: its subsets, shaped for the model's input.
    public func prepared<T: TensorScalar>(_ data: LoadedData<T>) -> (training: LabeledImages<T>, test: LabeledImages<T>) {
        func shaped(_ set: LabeledImages<T>, _ subset: Int?) -> LabeledImages<T> {
            var s = subset.map { set.prefix($0) } ?? set
            s.images.reshape([s.count] + model.inputShape)
            return s
        }
        return (shaped(data.training, trainingSubset), shaped(data.test, testSubset))
    }

    private func train<N: Network>(
        _ network: N, _ trainingSet: LabeledImages<N.Scalar>, _ testSet: LabeledImages<N.Scalar>,
        onRecord: (Record, any Network<N.Scalar>) -> Void, onProgress: (TrainingProgress) -> Void
    ) -> History {
        var optimizer = self.optimizer.make(N.Scalar.self)
        return Trainer<N>(training).train(network, optimizer: &optimizer, training: trainingSet, test: testSet,
                                         onRecord: { onRecord($0, $1) }, onProgress: onProgress)
    }

    /// The settings as name–value pairs for reports and history.json.
    public var settings: [String: String] {
        var s = model.settings
        s["optimizer"] = optimizer.description
        s["batch_size"] = "\(training.batchSize)"
        s["evaluate_every"] = "\(training.evaluateEvery)"
        s["seed"] = "\(training.seed)"
        s["train_accuracy_on"] = training.trainAccuracySource.rawValue
        switch training.schedule {
        case .iterations(let n): s["iterations"] = "\(n) (minibatches drawn with replacement)"
        case .epochs(let n): s["epochs"] = "\(n) (shuffled, without replacement)"
        }
        if let n = trainingSubset { s["training_subset"] = "first \(n) images" }
        if let n = testSubset { s["test_subset"] = "first \(n) images" }
        return s
    }
}
