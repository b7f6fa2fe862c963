import ArgumentParser
import Foundation
import ScratchLab
import ScratchNN
import ScratchTensor
import ScratchTrain

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one of the course's hands-on experiments and write its report.",
        discussion: """
        Every variant is trained with the course's settings (override them below), then the output \
        folder gets each variant's history (CSV, JSON), charts (SVG) and trained network (model.npz, \
        for scratchnet evaluate and predict), a comparison chart and index.html, a report to open \
        in any browser. See the hands-ons with: scratchnet list -v

        Examples:
          scratchnet run vanishing-gradient
          scratchnet run optimizers --only sgd,adam,rmsprop --quick
          scratchnet run overfitting --optimizer adam
        """)

    @Argument(help: "The hands-on to run: \(Catalogue.all.map(\.id).joined(separator: ", ")).")
    var name: String

    @Option(name: .customLong("only"), help: "Run only these variants (comma-separated ids; see scratchnet list -v).",
            transform: { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var only: [String] = []

    @Option(help: "Training iterations for every variant (default: the course's, 2000 or 1000).")
    var iterations: Int?

    @Flag(help: "A short run for a first look: a fifth of the course's iterations.")
    var quick = false

    @Option(name: .customLong("eval-every"), help: "Record accuracies every this many iterations. (default: 10)")
    var evalEvery: Int?

    @Option(help: "Train on all of MNIST for this many shuffled epochs, evaluating on the full test set (training accuracy on the minibatch).")
    var epochs: Int?

    @Flag(help: "Train on all of MNIST (like --epochs 5 unless --epochs is given).")
    var full = false

    /// Epochs on full MNIST when --full or --epochs asks for them.
    private var fullEpochs: Int? { epochs ?? (full ? 5 : nil) }

    @Option(help: "Seed for initial weights, minibatches and dropout masks.")
    var seed: UInt64 = 1

    @Option(help: "Optimizer for the dropout variants (the course switches it): sgd, momentum, nesterov, adagrad, rmsprop or adam.")
    var optimizer: OptimizerChoice?

    @Option(help: "Arithmetic precision: float32, or float64 as in the course's NumPy code.")
    var precision: PrecisionChoice = .float32

    @Option(help: "Variants trained at the same time (each uses one core).")
    var jobs: Int = 1

    @Option(help: "Folder for the report (default: runs/NAME).")
    var output: String?

    @OptionGroup(title: "Data") var data: DataOptionGroup

    func validate() throws {
        guard let handsOn = Catalogue.named(name) else {
            throw ValidationError("there is no hands-on named \"\(name)\". Choose one of: \(Catalogue.all.map(\.id).joined(separator: ", ")) (see scratchnet list).")
        }
        let known = Set(handsOn.variants.map(\.id))
        let unknown = only.filter { !known.contains($0) }
        if !unknown.isEmpty || (!only.isEmpty && only.allSatisfy(\.isEmpty)) {
            throw ValidationError("\(name) has no variant \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")). Its variants are: \(handsOn.variants.map(\.id).joined(separator: ", ")).")
        }
        if let iterations, iterations <= 0 { throw ValidationError("--iterations must be at least 1 (got \(iterations)).") }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be at least 1 (got \(epochs)).") }
        if fullEpochs != nil, iterations != nil || quick {
            throw ValidationError("--full/--epochs train in epochs; leave out --iterations and --quick.")
        }
        if let evalEvery, evalEvery <= 0 { throw ValidationError("--eval-every must be at least 1 (got \(evalEvery)); the course records every 10 iterations.") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs)).") }
    }

    func run() throws {
        guard var handsOn = Catalogue.named(name) else { throw ExitCode.validationFailure }
        if !only.isEmpty { handsOn = handsOn.selecting(only) }
        handsOn = handsOn.mapJobs { job in
            if case .iterations(let n) = job.training.schedule {
                job.training.schedule = .iterations(iterations ?? (quick ? max(n / 5, 1) : n))
            }
            if let evalEvery { job.training.evaluateEvery = evalEvery }
            job.training.seed = seed
            if let epochs = fullEpochs {
                job.training.schedule = .epochs(epochs)
                job.trainingSubset = nil
                job.testSubset = nil
                job.training.trainAccuracySource = .minibatch
                job.training.evaluateEvery = evalEvery ?? 200
            }
            if let optimizer, job.model.usesDropout {
                job.optimizer = optimizer.kind(learningRate: job.optimizer.learningRate)
            }
        }
        let folder = URL(fileURLWithPath: output ?? "runs/\(handsOn.id)")
        switch precision.precision {
        case .float32: try execute(handsOn, folder: folder, as: Float.self)
        case .float64: try execute(handsOn, folder: folder, as: Double.self)
        }
    }

    private func execute<T: TensorScalar>(_ handsOn: HandsOn, folder: URL, as _: T.Type) throws {
        let data = try self.data.options.load(as: T.self)
        data.warnings.forEach(Console.warning)
        Console.line("\(handsOn.courseSection) \(handsOn.title): \(handsOn.variants.count) variant\(handsOn.variants.count == 1 ? "" : "s"), \(T.precisionName)")
        Console.line("Data: \(data.source)")

        let count = handsOn.variants.count
        // Each variant's trained network goes to VARIANT/model.npz (not for a diverged run).
        let dataDescription = data.source.description, testCount = data.test.count
        let saveModel: @Sendable (HandsOn.Variant, any Network<T>, History) throws -> Void = { variant, network, history in
            guard !history.outcome.isDiverged else { return }
            let variantFolder = folder.appendingPathComponent(variant.id)
            try FileManager.default.createDirectory(at: variantFolder, withIntermediateDirectories: true)
            try ModelFile.save(network, job: variant.job, history: history, data: dataDescription,
                               testImages: variant.job.testSubset.map { min($0, testCount) } ?? testCount,
                               to: variantFolder.appendingPathComponent(ModelFile.fileName))
        }
        let results: [VariantResult]
        if jobs == 1 {
            results = try handsOn.variants.enumerated().map { index, variant in
                let display = ProgressDisplay(label: "[\(index + 1)/\(count)] \(variant.id)")
                let result = try HandsOnRunner().runVariant(variant, data: data, progress: display.update,
                                                            onTrained: { try saveModel(variant, $0, $1) })
                if result.history.outcome.isDiverged { display.finish() }
                return result
            }
        } else {
            Console.line("Training \(count) variants, \(jobs) at a time …")
            let finished = FinishedLines(count: count)
            results = try HandsOnRunner(parallelism: jobs).run(handsOn, on: data, progress: { index, progress in
                if progress.iteration == progress.totalIterations {
                    finished.report(handsOn.variants[index].id, progress)
                }
            }, onTrained: { index, network, history in try saveModel(handsOn.variants[index], network, history) })
        }

        let report = try HandsOnReport(handsOn: handsOn, results: results, data: data.source.description,
                                       precision: T.precisionName).write(to: folder)
        Console.line()
        Console.line(TerminalSummary.render(handsOn: handsOn, results: results, colors: Console.isTerminal))
        Console.line("Report: \(report.path)")
        let saved = results.filter { !$0.history.outcome.isDiverged }.map(\.variant.id)
        if !saved.isEmpty {
            let where_ = saved.count == 1 ? folder.appendingPathComponent(saved[0]).appendingPathComponent(ModelFile.fileName).path
                : folder.appendingPathComponent("VARIANT").appendingPathComponent(ModelFile.fileName).path
            Console.line("Trained networks: \(where_)" + (saved.count == 1 ? "" : " for \(saved.joined(separator: ", "))")
                         + (saved.count < results.count ? " (none for diverged runs)" : ""))
        }
    }
}

/// Prints one line as each variant finishes when several train at once.
private final class FinishedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func report(_ id: String, _ p: TrainingProgress) {
        lock.withLock {
            done += 1
            Console.line("  [\(done)/\(count)] \(id) finished in \(fixed(p.elapsedSeconds, 1)) s")
        }
    }
}

extension OptimizerChoice {
    func kind(learningRate lr: Double) -> OptimizerKind {
        switch self {
        case .sgd: .sgd(learningRate: lr)
        case .momentum: .momentum(learningRate: lr)
        case .nesterov: .nesterov(learningRate: lr)
        case .adagrad: .adagrad(learningRate: lr)
        case .rmsprop: .rmsprop(learningRate: lr)
        case .adam: .adam(learningRate: lr)
        }
    }
}
