import Dispatch
import ScratchTensor

/// Prepares minibatches of a training set stored by its nonzeros on the second core while the
/// first computes the steps before them: their rows gathered (``SparseRows/gatherRows(_:)``,
/// which waits on memory for each of the rows scattered over the set) and their nonzeros
/// listed by column (``SparseRows/indexedByColumn()``, which the weight gradient `xᵀ·dout`
/// reads): about 50 µs of a 784-40-20-10 step of 130 µs, taken off the first core.
///
/// The trainer asks for the batches up to its next evaluation at once: waking the second
/// core costs the first about 12 µs on this machine (a system call), too much to do it every
/// step, and the evaluation wants that core to itself. The batches are the same as gathering
/// them in place: only where the work runs changes.
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
                slot.batch = images.preparedBatch(slot.indices)
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
        slots[taken] = Slot([])   // the batch's memory goes with the step that used it
        taken += 1
        return (slot.indices, slot.batch!)
    }
}
