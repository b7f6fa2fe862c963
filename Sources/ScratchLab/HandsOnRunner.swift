import Foundation
import ScratchNN
import ScratchTensor
import ScratchTrain

/// Runs every variant of a hands-on on loaded data and collects what each
/// measured, including the gradient flow (norms per layer, activation
/// distributions) that the reports show.
public struct HandsOnRunner: Sendable {
    /// Variants trained at the same time (each on its own core).
    public var parallelism: Int
    /// Test images used for the activation histograms.
    public var activationSampleSize = 1000

    public init(parallelism: Int = 1) {
        self.parallelism = max(parallelism, 1)
    }

    /// Progress of one variant: its index in the hands-on and the trainer's report.
    public typealias ProgressHandler = @Sendable (_ variantIndex: Int, _ progress: TrainingProgress) -> Void

    /// Trains each variant and returns the results in the hands-on's order.
    /// - Parameter onTrained: called with each variant's index, trained network and history as
    ///   it finishes (on the worker that trained it), e.g. to save a checkpoint.
    /// - Throws: the first variant's error when a model cannot be built (or `onTrained` throws).
    public func run<T: TensorScalar>(
        _ handsOn: HandsOn, on data: LoadedData<T>, progress: @escaping ProgressHandler = { _, _ in },
        onTrained: @escaping @Sendable (_ variantIndex: Int, _ network: any Network<T>, _ history: History) throws -> Void
            = { _, _, _ in }
    ) throws -> [VariantResult] {
        let variants = handsOn.variants
        let results = ResultSlots(count: variants.count)
        let next = Counter()
        let workers = min(parallelism, variants.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // One core per variant: its matrix products stay on this thread.
            GEMMSelection.$threadLimit.withValue(workers > 1 ? 1 : nil) {
                while let index = next.take(below: variants.count) {
                    results[index] = Result {
                        try runVariant(variants[index], data: data, progress: { progress(index, $0) },
                                       onTrained: { try onTrained(index, $0, $1) })
                    }
                }
            }
        }
        return try results.values.map { try $0.get() }
    }

    /// Trains one variant and measures what the reports show: gradient norms
    /// at every recorded iteration, activation distributions at the start and
    /// end, the confusion matrix, misclassified images and first-layer filters.
    /// `onTrained` receives the trained network and its history (e.g. to save a checkpoint).
    public func runVariant<T: TensorScalar>(
        _ variant: HandsOn.Variant, data: LoadedData<T>, progress: (TrainingProgress) -> Void = { _ in },
        onTrained: (any Network<T>, History) throws -> Void = { _, _ in }
    ) throws -> VariantResult {
        let job = variant.job
        let test = job.prepared(data).test
        let probe = test.images.rows(0..<min(activationSampleSize, test.count))
        // The job draws its initial weights from its seed, so this is the untrained network.
        let untrained = try job.model.make(seed: job.training.seed, as: T.self)
        let start = Self.activationValues(untrained, probe)
        var norms: [String: [(iteration: Int, value: Double)]] = [:]
        var names: [String] = []

        let (history, network) = try job.run(on: data, onRecord: { record, net in
            for p in net.parameters where p.kind == .weight {
                if norms[p.name] == nil { names.append(p.name) }
                norms[p.name, default: []].append((record.iteration, Double(p.gradient.norm())))
            }
        }, onProgress: progress)
        try onTrained(network, history)

        let classes = 10
        var confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        var misclassified: [VariantResult.Misclassified] = []
        let predicted = network.predictedClasses(test.images, batchSize: job.training.evaluationBatchSize)
        for (i, (p, label)) in zip(predicted, test.labels).enumerated() {
            confusion[label][p] += 1
            if p != label, misclassified.count < misclassifiedShown, job.model.isConvolutional {
                let pixels = test.images.rows(i..<(i + 1)).scalars.map(Double.init)
                let side = Int(Double(pixels.count).squareRoot())
                misclassified.append(.init(pixels: pixels, width: side, height: pixels.count / max(side, 1), predicted: p, label: label))
            }
        }
        let layerNames = network.layers.filter { $0 is any ActivationLayer }.enumerated()
            .map { "hidden layer \($0.offset + 1) (\($0.element.summary))" }
        return VariantResult(
            variant: variant, history: history,
            gradientNorms: names.map { VariantResult.NamedSeries(name: $0, points: norms[$0, default: []]) },
            activations: job.model.isConvolutional ? [] : zip(layerNames, zip(start, Self.activationValues(network, probe)))
                .map { VariantResult.ActivationSnapshot(layer: $0, start: $1.0, end: $1.1) },
            confusion: confusion, misclassified: misclassified,
            filters: Self.firstFilters(untrained).flatMap { before in
                Self.firstFilters(network).map { after in
                    VariantResult.Filters(height: before.height, width: before.width, start: before.values, end: after.values)
                }
            })
    }

    /// Misclassified test images kept for the report's image grid.
    public var misclassifiedShown = 40

    private static func activationValues<T: TensorScalar>(_ network: any Network<T>, _ x: Tensor<T>) -> [[Double]] {
        network.trace(x).filter { $0.layer is any ActivationLayer }.map { $0.output.scalars.map(Double.init) }
    }

    /// Channel 0 of every filter of the first convolution, if there is one.
    private static func firstFilters<T: TensorScalar>(_ network: any Network<T>) -> (height: Int, width: Int, values: [[Double]])? {
        guard let conv = network.layers.lazy.compactMap({ $0 as? Convolution<T> }).first else { return nil }
        let w = conv.weight.value
        let (fh, fw, perFilter) = (conv.filterHeight, conv.filterWidth, conv.channels * conv.filterHeight * conv.filterWidth)
        let values = (0..<conv.filters).map { f in w.scalars[(f * perFilter)..<(f * perFilter + fh * fw)].map(Double.init) }
        return (fh, fw, values)
    }
}

/// Thread-safe slots for results computed in parallel.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<VariantResult, any Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    subscript(index: Int) -> Result<VariantResult, any Error>? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }
    var values: [Result<VariantResult, any Error>] { lock.withLock { slots.compactMap { $0 } } }
}

/// A shared counter handing out work items to parallel workers.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
