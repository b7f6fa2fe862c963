/// How a network is trained: the loop's settings, separate from the network
/// and the optimizer. Defaults are the course's (batch 100, record every 10).
public struct TrainingConfiguration: Sendable, Equatable {
    /// How minibatches are drawn.
    public enum Schedule: Sendable, Equatable {
        /// `n` iterations, each minibatch drawn at random **with replacement**
        /// (`np.random.choice(train_size, batch_size)`), as in the course.
        case iterations(Int)
        /// `n` epochs over the shuffled training set, without replacement.
        case epochs(Int)
    }

    /// Which images the recorded training accuracy is measured on.
    public enum TrainAccuracySource: String, Sendable, Equatable {
        /// The current minibatch (2_2–2_4).
        case minibatch
        /// The whole training set (2_5 uses all 300 samples; 2_6 all 5,000).
        case trainingSet
    }

    public var schedule: Schedule
    public var batchSize: Int
    /// Record loss and accuracies every this many iterations (and at the end).
    public var evaluateEvery: Int
    public var seed: UInt64
    public var trainAccuracySource: TrainAccuracySource
    /// Rows per forward pass when measuring accuracy on a whole set (the MLPs
    /// take the whole 10k test set at once; convolutional nets need less).
    public var evaluationBatchSize: Int
    /// ``evaluationBatchSize`` for a convolutional net. Each pass packs the Affine weights
    /// once, so bigger passes are cheaper until the activations leave the cache: SimpleConvNet
    /// evaluated 10,000 test images in 153 ms with passes of 100, 119 ms with 500 or 1,000
    /// (DeepConvNet: 1.01 s, 0.98 s, 1.08 s).
    public static let convolutionalEvaluationBatchSize = 500

    /// ``evaluationBatchSize`` for a network whose samples have `inputShape`: flat vectors (an
    /// MLP) the whole 10k test set in one pass, images ``convolutionalEvaluationBatchSize``.
    public static func evaluationBatchSize(inputShape: [Int]) -> Int {
        inputShape.count == 1 ? 10_000 : convolutionalEvaluationBatchSize
    }
    /// A minibatch loss above this for ``divergencePatience`` iterations in a
    /// row stops the run as diverged (NaN or ∞ stops it at once). The default
    /// 10 means the network gives the true class a probability below
    /// e⁻¹⁰ ≈ 5e-5 on average — far worse than guessing (ln 10 ≈ 2.3): its
    /// weights have blown up even if the arithmetic stayed finite (RMSProp
    /// with decay 1 on the sigmoid net does this).
    public var maximumLoss: Double
    /// Iterations the loss must stay above ``maximumLoss`` to count as diverged.
    public var divergencePatience: Int

    public init(
        schedule: Schedule = .iterations(2000), batchSize: Int = 100, evaluateEvery: Int = 10, seed: UInt64 = 1,
        trainAccuracySource: TrainAccuracySource = .minibatch, evaluationBatchSize: Int = 10_000,
        maximumLoss: Double = 10, divergencePatience: Int = 100
    ) {
        self.maximumLoss = maximumLoss
        self.divergencePatience = divergencePatience
        self.schedule = schedule
        self.batchSize = batchSize
        self.evaluateEvery = evaluateEvery
        self.seed = seed
        self.trainAccuracySource = trainAccuracySource
        self.evaluationBatchSize = evaluationBatchSize
    }

    /// The total number of iterations for a training set of `trainingCount` images.
    public func totalIterations(trainingCount: Int) -> Int {
        switch schedule {
        case .iterations(let n): n
        case .epochs(let n): n * Self.batchesPerEpoch(trainingCount: trainingCount, batchSize: batchSize)
        }
    }

    /// Minibatches in one epoch (the last one may be smaller).
    public static func batchesPerEpoch(trainingCount: Int, batchSize: Int) -> Int {
        (trainingCount + batchSize - 1) / batchSize
    }
}
