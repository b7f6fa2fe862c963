import Foundation
import ScratchNN
import ScratchTensor

/// What a trainer reports while it runs (for progress bars and logs).
public struct TrainingProgress: Sendable {
    public var iteration: Int
    public var totalIterations: Int
    /// The latest minibatch loss.
    public var loss: Double
    /// The latest recorded row, if one was recorded at this iteration.
    public var record: Record?
    public var elapsedSeconds: Double
}

/// The course's training loop: draw a minibatch, backpropagate, update, and
/// every N iterations record the loss, the training accuracy and the test
/// accuracy. It trains; it does not load data, plot or write files.
public struct Trainer<Net: Network> {
    public typealias Scalar = Net.Scalar
    public var configuration: TrainingConfiguration

    public init(_ configuration: TrainingConfiguration) {
        self.configuration = configuration
    }

    /// Trains `network` with `optimizer` and returns what was measured.
    ///
    /// A loss that becomes NaN or infinite stops the run; the history then
    /// ends with ``Outcome/diverged(iteration:reason:)`` and keeps every row
    /// recorded so far.
    /// - Parameters:
    ///   - onRecord: called after each recorded row, with the network whose
    ///     parameters still hold that iteration's gradients (for gradient-norm
    ///     and activation reports): `network` itself, or, when the row was
    ///     evaluated on the second core while training went on, a snapshot of
    ///     it taken at that iteration (``Network/snapshot()``). A row evaluated
    ///     that way arrives with the next one's iteration (or at the end).
    ///   - onProgress: called after every iteration, and once more with the last row when it
    ///     was evaluated on the second core.
    public func train(
        _ network: Net, optimizer: inout any Optimizer<Scalar>,
        training: LabeledImages<Scalar>, test: LabeledImages<Scalar>,
        onRecord: (Record, any Network<Scalar>) -> Void = { _, _ in },
        onProgress: (TrainingProgress) -> Void = { _ in }
    ) -> History {
        let total = configuration.totalIterations(trainingCount: training.count)
        let parameters = network.parameters
        var history = History()
        var monitor = DivergenceMonitor(maximumLoss: configuration.maximumLoss, patience: configuration.divergencePatience)
        let clock = ContinuousClock()
        let start = clock.now
        // The training set as the network trains on it fastest (an MLP sampling it at least twice
        // over: by its nonzero pixels, from which each step gathers its minibatch), converted
        // once, as training time.
        let trainingImages = NetworkImages(training.images, for: network, sampledRows: total * configuration.batchSize)
        history.trainingSeconds += seconds(clock.now - start)
        // The sets evaluated every few iterations, likewise converted once (as evaluation time).
        var evaluations = total / max(configuration.evaluateEvery, 1) + 1
        if case .epochs(let epochs) = configuration.schedule { evaluations += epochs }
        let conversionStart = clock.now
        let testImages = NetworkImages(test.images, for: network, evaluations: evaluations)
        let trainingSetImages: NetworkImages<Scalar>? = switch configuration.trainAccuracySource {
        case .minibatch: nil
        case .trainingSet:
            if case .sparse = trainingImages { trainingImages }
            else { NetworkImages(training.images, for: network, evaluations: evaluations) }
        }
        history.evaluationSeconds += seconds(clock.now - conversionStart)

        // With two cores and a network that can be copied (an MLP, whose steps run on one core),
        // the second core prepares the minibatches up to the next evaluation (drawn when the
        // first of them is) and, for a set big enough to split, evaluates each recorded
        // iteration (``DeferredEvaluation``) while the first trains on. (A convolutional
        // network's steps use both cores: a loader beside them made 2_6 2–4% slower.)
        let secondCore = min(GEMMSelection.cores, GEMMSelection.threadLimit ?? 2) >= 2 && network.hasStatelessInference
        var minibatches = Minibatches(trainingImages, rows: training.count, configuration, loader: secondCore)
        let deferEvaluation = secondCore && test.count * network.parameterCount >= ParallelEvaluation.minimumWork
        typealias Row = (iteration: Int, loss: Double, minibatchAccuracy: Double?)
        var pending: (row: Row, evaluation: DeferredEvaluation<Scalar>)?
        /// Appends a completed row to the history and reports it.
        func append(_ row: Row, trainAccuracy: Double, testAccuracy: Double, _ network: any Network<Scalar>) -> Record {
            let record = Record(iteration: row.iteration,
                                epoch: Double(row.iteration * configuration.batchSize) / Double(training.count),
                                loss: row.loss, trainAccuracy: trainAccuracy, testAccuracy: testAccuracy,
                                elapsedSeconds: seconds(clock.now - start))
            history.records.append(record)
            onRecord(record, network)
            return record
        }
        /// Completes the row evaluated on the second core (joining in) and appends it.
        func finish(_ deferred: (row: Row, evaluation: DeferredEvaluation<Scalar>)) -> Record {
            let accuracies = deferred.evaluation.finish()
            pending = nil
            return append(deferred.row, trainAccuracy: deferred.row.minibatchAccuracy ?? accuracies[1],
                          testAccuracy: accuracies[0], deferred.evaluation.snapshot)
        }

        var labels: [Int] = []   // the minibatch's, written over every step
        for iteration in 1...max(total, 1) where total > 0 {
            let stepStart = clock.now
            let (indices, batch) = minibatches.next(iteration, of: total) { records($0, training.count, total) }
            labels.removeAll(keepingCapacity: true)
            for i in indices { labels.append(training.labels[i]) }
            let loss = Double(batch.gradient(network, labels: labels))
            history.iterations = iteration
            // Divergence is judged on the data loss: a weight-decay penalty can sit far above the limit.
            var dataLoss = loss
            if loss > configuration.maximumLoss, !network.weightDecay.isNone {
                dataLoss -= Double(network.weightDecay.penalty(parameters))
            }
            if let divergence = monitor.check(loss: dataLoss, iteration: iteration) {
                history.trainingSeconds += seconds(clock.now - stepStart)
                history.outcome = .diverged(iteration: divergence.iteration, reason: divergence.reason)
                break
            }
            optimizer.update(parameters)
            history.trainingSeconds += seconds(clock.now - stepStart)

            var record: Record?
            if records(iteration, training.count, total) {
                let evalStart = clock.now
                if let previous = pending { record = finish(previous) }
                // The whole training set when asked for (trainingSetImages), else this minibatch.
                let minibatchAccuracy = trainingSetImages == nil
                    ? batch.accuracy(network, labels: labels, batchSize: configuration.evaluationBatchSize) : nil
                let row = (iteration: iteration, loss: loss, minibatchAccuracy: minibatchAccuracy)
                if deferEvaluation, let snapshot = network.snapshot() {
                    // The second core evaluates this iteration's network while the first trains on.
                    var sets = [(testImages, test.labels)]
                    if let trainingSetImages { sets.append((trainingSetImages, training.labels)) }
                    pending = (row, DeferredEvaluation(snapshot, on: sets, batchSize: configuration.evaluationBatchSize))
                } else {
                    let trainAccuracy = minibatchAccuracy ?? trainingSetImages!.accuracy(
                        network, labels: training.labels, batchSize: configuration.evaluationBatchSize)
                    let testAccuracy = testImages.accuracy(network, labels: test.labels,
                                                           batchSize: configuration.evaluationBatchSize)
                    record = append(row, trainAccuracy: trainAccuracy, testAccuracy: testAccuracy, network)
                }
                history.evaluationSeconds += seconds(clock.now - evalStart)
            }
            onProgress(TrainingProgress(iteration: iteration, totalIterations: total, loss: loss, record: record,
                                        elapsedSeconds: seconds(clock.now - start)))
        }
        if let last = pending {
            let evalStart = clock.now
            let record = finish(last)
            history.evaluationSeconds += seconds(clock.now - evalStart)
            onProgress(TrainingProgress(iteration: history.iterations, totalIterations: total, loss: record.loss,
                                        record: record, elapsedSeconds: seconds(clock.now - start)))
        }
        return history
    }

    /// Whether the trainer records (and evaluates) after `iteration` of `total`.
    private func records(_ iteration: Int, _ trainingCount: Int, _ total: Int) -> Bool {
        iteration % configuration.evaluateEvery == 0 || iteration == total || endsEpoch(iteration, trainingCount)
    }

    private func endsEpoch(_ iteration: Int, _ trainingCount: Int) -> Bool {
        guard case .epochs = configuration.schedule else { return false }
        return iteration % TrainingConfiguration.batchesPerEpoch(trainingCount: trainingCount,
                                                                 batchSize: configuration.batchSize) == 0
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
