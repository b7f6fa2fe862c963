import ArgumentParser
import Foundation
import ScratchLab
import ScratchNN
import ScratchTensor
import ScratchTrain

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a multi-layer network (784-…-10) on MNIST and write its history.",
        discussion: """
        Each iteration draws a minibatch with replacement (as the course does), or, with --epochs, \
        goes through the shuffled training set. Every --eval-every iterations it records the loss, \
        the training accuracy and the test accuracy on the whole test set. The history is written \
        to OUTPUT/history.csv and OUTPUT/history.json, the trained network to OUTPUT/model.npz \
        (NumPy's format: W1, b1, …; read it back with scratchnet evaluate or predict).

        Example (hands-on 2_2, ReLU + He):
          scratchnet train --hidden 40,20 --activation relu --init he \\
            --optimizer sgd --lr 0.1 --iterations 2000 --batch-size 100 \\
            --eval-every 10 --seed 1 --output runs/relu-he
        """)

    @OptionGroup(title: "Network and optimizer") var net: NetworkOptionGroup

    @Option(help: "Training iterations (minibatches drawn with replacement).")
    var iterations: Int = 2000

    @Option(help: "Train for this many shuffled epochs instead of --iterations.")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Minibatch size.")
    var batchSize: Int = 100

    @Option(name: .customLong("eval-every"), help: "Record loss and accuracies every this many iterations.")
    var evalEvery: Int = 10

    @Option(name: .customLong("train-size"), help: "Train on only the first N training images (2_5 uses 300).")
    var trainSize: Int?

    @Option(name: .customLong("train-accuracy"),
            help: "Measure training accuracy on the current minibatch or on the whole training set: minibatch or full.")
    var trainAccuracy: TrainAccuracyChoice = .minibatch

    @Option(help: "Seed for the initial weights, minibatches and dropout masks.")
    var seed: UInt64 = 1

    @Option(help: "Arithmetic precision: float32, or float64 as in the course's NumPy code.")
    var precision: PrecisionChoice = .float32

    @Option(help: "Folder for history.csv, history.json and model.npz (default: runs/train-<date>-<time>).")
    var output: String?

    @OptionGroup(title: "Data") var data: DataOptionGroup

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1 (got \(iterations)); the course uses 2000.") }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be at least 1 (got \(epochs)).") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize)); the course uses 100.") }
        guard evalEvery > 0 else { throw ValidationError("--eval-every must be at least 1 (got \(evalEvery)); the course records every 10 iterations.") }
        if let trainSize, trainSize <= 0 { throw ValidationError("--train-size must be at least 1 (got \(trainSize)).") }
    }

    func run() throws {
        let model = try net.model()
        let job = TrainingJob(
            model: model, optimizer: net.optimizerKind,
            training: TrainingConfiguration(
                schedule: epochs.map { .epochs($0) } ?? .iterations(iterations), batchSize: batchSize,
                evaluateEvery: evalEvery, seed: seed, trainAccuracySource: trainAccuracy.source,
                evaluationBatchSize: TrainingConfiguration.evaluationBatchSize(inputShape: model.inputShape)),
            trainingSubset: trainSize)
        let folder = URL(fileURLWithPath: output ?? defaultOutputFolder())
        switch precision.precision {
        case .float32: try execute(job, folder: folder, as: Float.self)
        case .float64: try execute(job, folder: folder, as: Double.self)
        }
    }

    private func execute<T: TensorScalar>(_ job: TrainingJob, folder: URL, as _: T.Type) throws {
        let data = try self.data.options.load(as: T.self)
        data.warnings.forEach(Console.warning)
        Console.line("Data: \(data.source)")
        let settings = job.settings
        Console.line("Network: \(try job.model.make(seed: job.training.seed, as: T.self).architecture)")
        Console.line("Optimizer: \(job.optimizer), \(T.precisionName)")

        let display = ProgressDisplay()
        let (history, network) = try job.run(on: data, onProgress: display.update)
        var written = settings
        written["precision"] = T.precisionName
        let files = try HistoryFiles.write(history, name: "train", settings: written, data: data.source.description, to: folder)

        if case .diverged(let iteration, let reason) = history.outcome {
            display.finish()
            Console.error("training diverged at iteration \(iteration): \(reason). The history up to there is in \(folder.path). Try a smaller --lr.")
            throw ExitCode.failure
        }
        let model = folder.appendingPathComponent(ModelFile.fileName)
        try ModelFile.save(network, job: job, history: history, data: data.source.description,
                           testImages: job.testSubset.map { min($0, data.test.count) } ?? data.test.count, to: model)
        Console.line(summary(history))
        Console.line("Wrote \(files.map(\.path).joined(separator: " and "))")
        Console.line("Saved the trained network to \(model.path) (try: scratchnet evaluate --model \(model.path))")
    }

    private func summary(_ history: History) -> String {
        guard let last = history.records.last else { return "No records." }
        let best = history.records.max { $0.testAccuracy < $1.testAccuracy } ?? last
        return """
        Finished \(history.iterations) iterations in \(fixed(history.totalSeconds, 2)) s \
        (training \(fixed(history.trainingSeconds, 2)) s, evaluation \(fixed(history.evaluationSeconds, 2)) s).
        Final: loss \(fixed(last.loss, 4)), train accuracy \(fixed(last.trainAccuracy, 4)), test accuracy \(fixed(last.testAccuracy, 4)) \
        (best test \(fixed(best.testAccuracy, 4)) at iteration \(best.iteration)).
        """
    }

    private func defaultOutputFolder() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        return "runs/train-" + f.string(from: Date())
    }
}

enum TrainAccuracyChoice: String, CaseIterable, ExpressibleByArgument {
    case minibatch, full
    var source: TrainingConfiguration.TrainAccuracySource { self == .full ? .trainingSet : .minibatch }
}
