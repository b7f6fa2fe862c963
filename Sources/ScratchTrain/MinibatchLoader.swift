import Dispatch
import ScratchTensor

/// Prepares minibatches on the second core while the first computes the steps before them:
/// their rows gathered (which waits on memory for each of the rows scattered over the set) and,
/// from a set stored by its nonzeros, listed by column (``SparseRows/indexedByColumn()``, which
/// the weight gradient `xᵀ·dout` reads). For 784-40-20-10 that is about 25 µs beside a dense
/// step of 163 µs and 45 µs beside a sparse one of about 126 µs, off the first core.
///
/// The trainer asks for the batches up to its next evaluation at once: waking the second
/// core costs the first about 12 µs on this machine (perf: the futex wake-up path), too much
/// to do it every step. The batches are the same as gathering them in place: only where the
/// work runs changes.
final class MinibatchLoader<Scalar: TensorScalar>: @unchecked Sendable {
    /// Batches asked for at most at once.
    static var maximumGroup: Int { 16 }

    /// One batch on its way: `batch` is written by the loader's thread before it signals `ready`.
    private final class Slot: @unchecked Sendable {
        let indices: [Int]
        var batch: NetworkImages<Scalar>?
        init(_ indices: [Int]) { self.indices = indices }
    }

    private let images: NetworkImages<Scalar>
    private let queue = DispatchQueue(label: "scratchnet.minibatch-loader", qos: .userInitiated)
    private let ready = DispatchSemaphore(value: 0)
    private var slots: [Slot] = []
    private var taken = 0

    init(_ images: NetworkImages<Scalar>) {
        self.images = images
    }

    /// Starts preparing the rows of each of `batches` (lists of row indices), in order, for
    /// the next calls of ``next()``. Those of an earlier call must all have been taken.
    func prepare(_ batches: [[Int]]) {
        precondition(taken == slots.count, "prepared minibatches were not taken")
        let slots = batches.map(Slot.init)
        self.slots = slots
        taken = 0
        guard !slots.isEmpty else { return }
        queue.async { [images, ready] in
            for slot in slots {
                slot.batch = images.batch(slot.indices, listingColumns: true)
                ready.signal()
            }
        }
    }

    /// The next batch asked for, its row indices and rows (waiting for them if need be), or
    /// nil when every batch asked for has been taken.
    func next() -> (indices: [Int], rows: NetworkImages<Scalar>)? {
        guard taken < slots.count else { return nil }
        ready.wait()
        let slot = slots[taken]
        taken += 1
        // The loader's thread is done with the slot: its batch goes with the step that uses it.
        defer { slot.batch = nil }
        return (slot.indices, slot.batch!)
    }
}

/// A run's minibatches, in order: drawn with replacement, or epoch by epoch from a shuffle, with
/// the trainer's generator; prepared on the second core by a ``MinibatchLoader`` if asked.
struct Minibatches<Scalar: TensorScalar> {
    private let images: NetworkImages<Scalar>
    private let rows: Int
    private let schedule: TrainingConfiguration.Schedule
    private let batchSize: Int
    private var rng: RandomGenerator
    private var order: [Int] = []
    private var cursor = 0
    private let loader: MinibatchLoader<Scalar>?

    /// The minibatches of `configuration` from `images` (`rows` of them), seeded by its seed,
    /// with a ``MinibatchLoader`` or without.
    init(_ images: NetworkImages<Scalar>, rows: Int, _ configuration: TrainingConfiguration, loader: Bool) {
        self.images = images
        self.rows = rows
        schedule = configuration.schedule
        batchSize = configuration.batchSize
        rng = RandomGenerator(seed: configuration.seed)
        self.loader = loader ? MinibatchLoader(images) : nil
    }

    /// The next minibatch's rows: drawn with replacement, or the next slice of this epoch's shuffle.
    private mutating func drawIndices() -> [Int] {
        switch schedule {
        case .iterations:
            return rng.indices(count: batchSize, below: rows)
        case .epochs:
            if cursor >= order.count {
                order = rng.permutation(rows)
                cursor = 0
            }
            let end = min(cursor + batchSize, order.count)
            defer { cursor = end }
            return Array(order[cursor..<end])
        }
    }

    /// Iteration `iteration`'s minibatch: its row indices and rows. With a loader, when none is
    /// prepared, this one is gathered here and the following ones up to the first iteration
    /// `groupEnds` accepts (the next evaluation) are drawn now (the same draws, in the same
    /// order) and prepared on the second core.
    mutating func next(_ iteration: Int, of total: Int, groupEnds: (Int) -> Bool) -> (indices: [Int], rows: NetworkImages<Scalar>) {
        if let prepared = loader?.next() { return prepared }
        let indices = drawIndices()
        let batch = images.batch(indices)
        if let loader {
            var group: [[Int]] = []
            var next = iteration + 1
            while next <= total && group.count < MinibatchLoader<Scalar>.maximumGroup {
                group.append(drawIndices())
                if groupEnds(next) { break }
                next += 1
            }
            loader.prepare(group)
        }
        return (indices, batch)
    }
}
