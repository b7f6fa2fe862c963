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
    public func run<T: TensorScalar>(
        _ handsOn: HandsOn, on data: LoadedData<T>, progress: @escaping ProgressHandler = { _, _ in }
    ) -> [VariantResult] {
        let variants = handsOn.variants
        let results = ResultSlots(count: variants.count)
        let next = Counter()
        let workers = min(parallelism, variants.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take(below: variants.count) {
                results[index] = runVariant(variants[index], data: data) { progress(index, $0) }
            }
        }
        return results.values
    }

    /// Trains one variant, recording gradient norms at every recorded iteration
    /// and activation distributions at the start and end.
    public func runVariant<T: TensorScalar>(
        _ variant: HandsOn.Variant, data: LoadedData<T>, progress: (TrainingProgress) -> Void = { _ in }
    ) -> VariantResult {
        let probe = data.test.images.rows(0..<min(activationSampleSize, data.test.count))
        var norms: [String: [(Int, Double)]] = [:]
        var names: [String] = []
        // The job draws its initial weights from its seed, so this is the untrained network.
        let start = Self.activationValues(MultiLayerNet<T>(variant.job.network, seed: variant.job.training.seed), probe)

        let (history, network) = variant.job.run(on: data, onRecord: { record, net in
            for p in net.parameters where p.kind == .weight {
                if norms[p.name] == nil { names.append(p.name) }
                norms[p.name, default: []].append((record.iteration, Double(p.gradient.norm())))
            }
        }, onProgress: progress)

        let end = Self.activationValues(network, probe)
        let layerNames = Self.activationLayerNames(network)
        var counts = Array(repeating: 0, count: variant.job.network.outputSize)
        for c in network.predictedClasses(data.test.images) { counts[c] += 1 }
        return VariantResult(
            variant: variant, history: history,
            gradientNorms: names.map { VariantResult.NamedSeries(name: $0, points: norms[$0, default: []].map { (iteration: $0.0, value: $0.1) }) },
            activations: zip(layerNames, zip(start, end)).map { VariantResult.ActivationSnapshot(layer: $0, start: $1.0, end: $1.1) },
            predictedClassCounts: counts)
    }

    private static func activationValues<N: Network>(_ network: N, _ x: Tensor<N.Scalar>) -> [[Double]] {
        network.trace(x).filter { $0.layer is any ActivationLayer }.map { $0.output.scalars.map(Double.init) }
    }

    private static func activationLayerNames<N: Network>(_ network: N) -> [String] {
        network.layers.filter { $0 is any ActivationLayer }.enumerated().map { "hidden layer \($0.offset + 1) (\($0.element.summary))" }
    }
}

/// Thread-safe slots for results computed in parallel.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [VariantResult?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    subscript(index: Int) -> VariantResult? {
        get { lock.withLock { slots[index] } }
        set { lock.withLock { slots[index] = newValue } }
    }
    var values: [VariantResult] { lock.withLock { slots.compactMap { $0 } } }
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
