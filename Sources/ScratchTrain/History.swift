/// One row of a training history: the numbers recorded every N iterations.
public struct Record: Codable, Sendable, Equatable {
    /// 1-based iteration count at which the row was recorded.
    public var iteration: Int
    /// Epochs of training data seen (iterations × batch / training-set size).
    public var epoch: Double
    /// The minibatch loss of this iteration (cross-entropy + weight-decay penalty).
    public var loss: Double
    /// Accuracy on the minibatch or the whole training set (see the configuration).
    public var trainAccuracy: Double
    /// Accuracy on the whole test set.
    public var testAccuracy: Double
    /// Seconds since training started, when the row was complete.
    public var elapsedSeconds: Double

    public init(iteration: Int, epoch: Double, loss: Double, trainAccuracy: Double, testAccuracy: Double, elapsedSeconds: Double) {
        self.iteration = iteration
        self.epoch = epoch
        self.loss = loss
        self.trainAccuracy = trainAccuracy
        self.testAccuracy = testAccuracy
        self.elapsedSeconds = elapsedSeconds
    }
}

/// How a run ended.
public enum Outcome: Codable, Sendable, Equatable, CustomStringConvertible {
    case completed
    /// The loss became NaN or infinite at `iteration`; training stopped there.
    case diverged(iteration: Int, reason: String)

    public var description: String {
        switch self {
        case .completed: "completed"
        case .diverged(let iteration, let reason): "diverged at iteration \(iteration): \(reason)"
        }
    }

    public var isDiverged: Bool { if case .diverged = self { true } else { false } }
}

/// Everything a training run measured.
public struct History: Codable, Sendable, Equatable {
    public var records: [Record] = []
    public var outcome: Outcome = .completed
    /// Iterations actually run.
    public var iterations = 0
    /// Seconds spent in forward/backward/update steps (and converting the training set once
    /// for them, where the trainer stores it by its nonzero pixels).
    public var trainingSeconds = 0.0
    /// Seconds spent measuring accuracy (by the trainer's thread: an evaluation the second core
    /// runs while training goes on counts only for the time the trainer joins in or waits).
    public var evaluationSeconds = 0.0

    public init() {}

    public var finalTestAccuracy: Double? { records.last?.testAccuracy }
    public var finalTrainAccuracy: Double? { records.last?.trainAccuracy }
    public var totalSeconds: Double { trainingSeconds + evaluationSeconds }
}
