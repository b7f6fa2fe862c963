import ArgumentParser
import Foundation
import ScratchData
import ScratchNN
import ScratchTensor
import ScratchTrain

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Read handwritten digits from image files with a saved network.",
        discussion: """
        Each image (PNG or PGM, any size, dark-on-light or light-on-dark) is turned into a 28×28 \
        MNIST-style digit the way MNIST was made: the ink is cropped, scaled so its longer side is \
        20 pixels and centred by its centre of mass. The network's scores go through softmax; \
        each line shows the predicted digit with its probability and the next two guesses:
          digit.png: 7 (p=0.98; next 1 0.01, 9 0.00)
        A file that cannot be read is reported on its own line; the command then exits with status 1.

        Example:
          scratchnet predict --model runs/mlp/model.npz digit.png scan.pgm
          scratchnet predict --model runs/mlp/model.npz --json digit.png
        """)

    @Option(help: "The checkpoint to use (an .npz written by scratchnet train or run).")
    var model: String

    @Flag(help: "Print JSON: every file with its digit, the ten probabilities and the top three (or its error).")
    var json = false

    @Option(help: "Arithmetic precision: float32 or float64. (default: the precision the network was saved in)")
    var precision: PrecisionChoice?

    @Argument(help: "Image files (PNG or PGM) holding one digit each.")
    var images: [String] = []

    func validate() throws {
        guard !images.isEmpty else {
            throw ValidationError("give at least one image file, e.g. scratchnet predict --model runs/mlp/model.npz digit.png")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let info = try ModelFile.info(url)
        switch (precision ?? PrecisionChoice(rawValue: info.precision) ?? .float32).precision {
        case .float32: try predict(url, as: Float.self)
        case .float64: try predict(url, as: Double.self)
        }
    }

    private func predict<T: TensorScalar>(_ url: URL, as _: T.Type) throws {
        let (network, info) = try ModelFile.load(url, as: T.self)
        try ModelFile.checkMNISTShape(info, file: model)
        var results: [Prediction] = []
        for path in images {
            do {
                let pixels = try DigitImage.load(path: path)
                let x = Tensor<T>(shape: [1] + info.inputShape, scalars: pixels.map { T($0) })
                let probabilities = network.predict(x, mode: .inference).softmaxRows().scalars.map { Double($0) }
                results.append(Prediction(file: path, probabilities: probabilities))
            } catch {
                results.append(Prediction(file: path, error: "\(error)"))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = PredictionDocument(model: model, network: info.name, predictions: results)
            Console.line(String(decoding: try encoder.encode(document), as: UTF8.self))
        } else {
            for result in results {
                if let error = result.error {
                    Console.error(error)
                } else {
                    Console.line(result.line)
                }
            }
        }
        if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }
}

/// One file's prediction or error (also the JSON output's elements).
struct Prediction: Encodable {
    struct Guess: Encodable {
        var digit: Int
        var probability: Double
    }

    var file: String
    var digit: Int?
    var probabilities: [Double]?
    var top: [Guess]?
    var error: String?

    init(file: String, probabilities: [Double]) {
        self.file = file
        self.probabilities = probabilities
        let ranked = probabilities.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
        top = ranked.prefix(3).map { Guess(digit: $0.offset, probability: $0.element) }
        digit = top?.first?.digit
    }

    init(file: String, error: String) {
        self.file = file
        self.error = error
    }

    /// `digit.png: 7 (p=0.98; next 1 0.01, 9 0.00)`.
    var line: String {
        guard let top, let first = top.first else { return "\(file): \(error ?? "no prediction")" }
        let next = top.dropFirst().map { "\($0.digit) \(fixed($0.probability, 2))" }.joined(separator: ", ")
        return "\(file): \(first.digit) (p=\(fixed(first.probability, 2))" + (next.isEmpty ? ")" : "; next \(next))")
    }
}

private struct PredictionDocument: Encodable {
    var model: String
    var network: String
    var predictions: [Prediction]
}
