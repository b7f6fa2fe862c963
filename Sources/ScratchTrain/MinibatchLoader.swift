import Dispatch
import Foundation
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

    /// One batch on its way: its row indices, written by the trainer's thread before it signals
    /// `work`, and its rows, written by the loader's thread before it signals `ready`. Both are
    /// written over group after group (the trainer has let go of a batch by the time it asks
    /// for the next group), so a run's steps prepare their batches without allocating.
    private final class Slot {
        var indices: [Int] = []
        var batch: NetworkImages<Scalar>?
    }

    private let images: NetworkImages<Scalar>
    private let slots = (0..<MinibatchLoader.maximumGroup).map { _ in Slot() }
    private let work = DispatchSemaphore(value: 0)
    private let ready = DispatchSemaphore(value: 0)
    /// The batches of the latest group (set by the trainer's thread before it signals `work`),
    /// and how many of them it has taken.
    private var group = 0
    private var taken = 0

    /// A loader of minibatches of `images`, with its own thread (waiting for work until the
    /// loader goes away; a dispatch queue's worker kept waiting would hold one of the threads
    /// evaluations share).
    init(_ images: NetworkImages<Scalar>) {
        self.images = images
        let thread = Thread { [weak self, work] in
            while true {
                work.wait()
                guard let self else { return }
                self.gatherGroup()
            }
        }
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    deinit { work.signal() }

    /// On the loader's thread: gathers the group's batches in order, signalling each.
    private func gatherGroup() {
        for slot in slots[0..<group] {
            images.batch(slot.indices, listingColumns: true, into: &slot.batch)
            ready.signal()
        }
    }

    /// Starts preparing `count` (at most ``maximumGroup``) batches, in order, for the next calls
    /// of ``next()``: `draw(i, &indices)` writes batch i's row indices (over the list of the
    /// one before). Those of an earlier call must all have been taken.
    func prepare(_ count: Int, draw: (Int, inout [Int]) -> Void) {
        precondition(taken == group, "prepared minibatches were not taken")
        precondition(count <= slots.count, "at most \(slots.count) minibatches at once")
        for i in 0..<count { draw(i, &slots[i].indices) }
        group = count
        taken = 0
        if count > 0 { work.signal() }
    }

    /// The next batch asked for, its row indices and rows (waiting for them if need be), or
    /// nil when every batch asked for has been taken.
    func next() -> (indices: [Int], rows: NetworkImages<Scalar>)? {
        guard taken < group else { return nil }
        ready.wait()
        let slot = slots[taken]
        taken += 1
        return (slot.indices, slot.batch!)
    }
}

/// A run's minibatches, in order: drawn with replacement, or epoch by epoch from a shuffle, with
/// the trainer's generator; prepared on the second core by a ``MinibatchLoader`` if asked.
/// The index lists and batches are written over from one batch to the next.
struct Minibatches<Scalar: TensorScalar> {
    private let images: NetworkImages<Scalar>
    private var draws: Draws
    private let loader: MinibatchLoader<Scalar>?
    /// The batch drawn on this thread (the first of each group, with a loader).
    private var indices: [Int] = []
    private var batch: NetworkImages<Scalar>?

    /// Each minibatch's row indices, in order.
    private struct Draws {
        let rows: Int
        let schedule: TrainingConfiguration.Schedule
        let batchSize: Int
        var rng: RandomGenerator
        var order: [Int] = []
        var cursor = 0

        /// The next minibatch's rows, written over `list`: drawn with replacement, or the next
        /// slice of this epoch's shuffle.
        mutating func next(into list: inout [Int]) {
            switch schedule {
            case .iterations:
                rng.indices(count: batchSize, below: rows, into: &list)
            case .epochs:
                if cursor >= order.count {
                    rng.permutation(rows, into: &order)
                    cursor = 0
                }
                let end = min(cursor + batchSize, order.count)
                list.removeAll(keepingCapacity: true)
                list.append(contentsOf: order[cursor..<end])
                cursor = end
            }
        }
    }

    /// The minibatches of `configuration` from `images` (`rows` of them), seeded by its seed,
    /// with a ``MinibatchLoader`` or without.
    init(_ images: NetworkImages<Scalar>, rows: Int, _ configuration: TrainingConfiguration, loader: Bool) {
        self.images = images
        draws = Draws(rows: rows, schedule: configuration.schedule, batchSize: configuration.batchSize,
                      rng: RandomGenerator(seed: configuration.seed))
        self.loader = loader ? MinibatchLoader(images) : nil
    }

    /// Iteration `iteration`'s minibatch: its row indices and rows. With a loader, when none is
    /// prepared, this one is gathered here and the following ones up to the first iteration
    /// `groupEnds` accepts (the next evaluation) are drawn now (the same draws, in the same
    /// order) and prepared on the second core.
    mutating func next(_ iteration: Int, of total: Int, groupEnds: (Int) -> Bool) -> (indices: [Int], rows: NetworkImages<Scalar>) {
        if let prepared = loader?.next() { return prepared }
        draws.next(into: &indices)
        images.batch(indices, into: &batch)
        if let loader {
            var count = 0
            var next = iteration + 1
            while next <= total && count < MinibatchLoader<Scalar>.maximumGroup {
                count += 1
                if groupEnds(next) { break }
                next += 1
            }
            loader.prepare(count) { _, list in draws.next(into: &list) }
        }
        return (indices, batch!)
    }
}
