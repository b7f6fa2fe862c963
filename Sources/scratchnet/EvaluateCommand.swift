import ArgumentParser
import Foundation
import ScratchData
import ScratchLab
import ScratchNN
import ScratchReport
import ScratchTensor
import ScratchTrain

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a saved network (model.npz) on the MNIST test set.",
        discussion: """
        Loads a checkpoint written by `scratchnet train` or `scratchnet run` (OUTPUT/model.npz), \
        runs it on the test set in inference mode (batch norm uses its running statistics, dropout \
        scales by 1 − ratio) and prints the accuracy, the mean cross-entropy loss, the accuracy of \
        each digit and the confusion matrix. It says which data it used; the test accuracy the \
        network had when it was saved is shown beside it.

        Example:
          scratchnet train --sample --iterations 500 --output runs/mlp
          scratchnet evaluate --model runs/mlp/model.npz --sample
        """)

    @Option(help: "The checkpoint to evaluate (an .npz written by scratchnet train or run).")
    var model: String

    @Option(help: "Arithmetic precision: float32 or float64. (default: the precision the network was saved in)")
    var precision: PrecisionChoice?

    @OptionGroup(title: "Data") var data: DataOptionGroup

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let info = try ModelFile.info(url)
        switch (precision ?? PrecisionChoice(rawValue: info.precision) ?? .float32).precision {
        case .float32: try evaluate(url, as: Float.self)
        case .float64: try evaluate(url, as: Double.self)
        }
    }

    private func evaluate<T: TensorScalar>(_ url: URL, as _: T.Type) throws {
        let (network, info) = try ModelFile.load(url, as: T.self)
        try ModelFile.checkMNISTShape(info, file: model)
        Console.line(ModelFile.describe(info, file: model, precision: T.precisionName))

        let loaded = try data.options.load(as: T.self)
        loaded.warnings.forEach(Console.warning)
        var test = loaded.test
        test.images.reshape([test.count] + info.inputShape)
        Console.line("Data: \(loaded.source)")
        Console.line("Evaluating on the test set: \(thousands(test.count)) images")

        let result = Evaluation(network, test, classes: info.classes,
                                batchSize: TrainingConfiguration.evaluationBatchSize(inputShape: info.inputShape))
        Console.line()
        Console.line("Test accuracy: \(fixed(result.accuracy, 4)) (\(thousands(result.correct)) of \(thousands(test.count)) correct)"
                     + (info.testAccuracy.map { accuracy in
                         "; recorded when saved: \(fixed(accuracy, 4))"
                             + (info.metadata["test_images"]?.number.map { " on \(thousands(Int($0))) images" } ?? "")
                     } ?? ""))
        Console.line("Test loss: \(fixed(result.loss, 4)) (mean cross-entropy)")
        Console.line()
        Console.line("Per digit: accuracy and confusion matrix (rows: true digit, columns: predicted digit)")
        Console.line(result.table(colors: Console.isTerminal))
    }
}

/// Accuracy, loss, per-class accuracy and confusion matrix of a network on a labelled set.
struct Evaluation {
    var correct = 0
    var count = 0
    var loss = 0.0
    /// confusion[true][predicted]
    var confusion: [[Int]]

    init<N: Network>(_ network: N, _ set: LabeledImages<N.Scalar>, classes: Int, batchSize: Int) {
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        count = set.count
        var start = 0
        var lossSum = 0.0
        while start < set.count {
            let end = min(start + batchSize, set.count)
            let x = set.images.rows(start..<end)
            let labels = Array(set.labels[start..<end])
            let scores = network.predict(x, mode: .inference)
            lossSum += Double(network.lossLayer.forward(scores, labels: labels)) * Double(end - start)
            for (predicted, label) in zip(scores.argmaxRows(), labels) {
                if predicted == label { correct += 1 }
                if label < classes, predicted < classes { confusion[label][predicted] += 1 }
            }
            start = end
        }
        loss = count > 0 ? lossSum / Double(count) : 0
    }

    var accuracy: Double { count > 0 ? Double(correct) / Double(count) : 0 }

    func table(colors: Bool) -> String {
        let classes = confusion.count
        let header = ["digit", "images", "accuracy"] + (0..<classes).map(String.init)
        let rows = confusion.enumerated().map { digit, row -> [String] in
            let total = row.reduce(0, +)
            let accuracy = total > 0 ? fixed(Double(row[digit]) / Double(total), 3) : "–"
            return ["\(digit)", thousands(total), accuracy] + row.map(String.init)
        }
        return TerminalTable(header: header, rows: rows,
                             alignments: Array(repeating: ColumnAlignment.right, count: header.count),
                             style: .plain, colorEnabled: colors).render()
    }
}

/// Saving and loading checkpoints for the commands, with their messages.
enum ModelFile {
    static let fileName = "model.npz"

    /// Saves a trained network with what its run measured (test accuracy, iterations, ...).
    static func save<T: TensorScalar>(
        _ network: any Network<T>, job: TrainingJob, history: History, data: String, testImages: Int, to url: URL
    ) throws {
        var metadata: [String: Checkpoint.Value] = [
            "optimizer": .string(job.optimizer.description),
            "seed": .string("\(job.training.seed)"),
            "iterations": .number(Double(history.iterations)),
            "weight_init": .string("\(job.model.weightInit)"),
            "data": .string(data),
            "test_images": .number(Double(testImages)),
        ]
        if let accuracy = history.finalTestAccuracy { metadata["test_accuracy"] = .number(accuracy) }
        if let accuracy = history.finalTrainAccuracy { metadata["train_accuracy"] = .number(accuracy) }
        try Checkpoint.save(network, name: job.model.name, layers: job.model.layerSpecs,
                            inputShape: job.model.inputShape, metadata: metadata, to: url)
    }

    /// The checkpoint's architecture; a bad file is reported and ends the command.
    static func info(_ url: URL) throws -> Checkpoint.Info {
        try reporting { try Checkpoint.info(at: url) }
    }

    /// The checkpoint's network; a bad file is reported and ends the command.
    static func load<T: TensorScalar>(_ url: URL, as _: T.Type) throws -> (network: Sequential<T>, info: Checkpoint.Info) {
        let loaded = try reporting { try Checkpoint.load(from: url, as: T.self) }
        if !loaded.info.unusedArrays.isEmpty {
            Console.warning("\(url.relativePath) also holds \(loaded.info.unusedArrays.joined(separator: ", ")), which its architecture does not use; they are ignored.")
        }
        return loaded
    }

    private static func reporting<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as CheckpointError {
            Console.error(error.description)
        } catch let error as NPYError {
            Console.error(error.description)
        }
        throw ExitCode.failure
    }

    /// Ends the command when the network does not take 28×28 images with 10 classes.
    static func checkMNISTShape(_ info: Checkpoint.Info, file: String) throws {
        guard info.inputShape.reduce(1, *) == 784, info.classes == 10 else {
            Console.error("\(file) holds a network for input \(info.inputShape.map(String.init).joined(separator: "×")) "
                          + "with \(info.classes) classes, but MNIST digits are 28×28 (784 values) in 10 classes; "
                          + "use a network trained on MNIST.")
            throw ExitCode.failure
        }
    }

    /// "Model: FILE — SimpleConvNet, float32", then the layers and what the run measured.
    static func describe(_ info: Checkpoint.Info, file: String, precision: String) -> String {
        var saved: [String] = []
        if let n = info.metadata["iterations"]?.number { saved.append("\(thousands(Int(n))) iterations") }
        if let optimizer = info.metadata["optimizer"] { saved.append("\(optimizer)") }
        if let accuracy = info.testAccuracy { saved.append("test accuracy \(fixed(accuracy, 4))") }
        let precisionNote = precision == info.precision ? precision : "\(precision) (saved in \(info.precision))"
        var lines = ["Model: \(file) — \(info.name), \(precisionNote)",
                     "  layers \(info.layerText), input \(info.inputShape.map(String.init).joined(separator: "×"))"]
        if !saved.isEmpty { lines.append("  saved after " + saved.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

/// 12345 → "12,345" (for counts in messages).
func thousands(_ n: Int) -> String {
    let digits = String(Swift.abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}
