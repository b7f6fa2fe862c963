import Dispatch
import Foundation
import ScratchNN
import ScratchTensor

/// The accuracies of a recorded iteration, computed on a snapshot of the network
/// (``Network/snapshot()``) by the second core while the first trains on; the first core joins
/// in when it needs the result, at the next record. Every row is predicted as the trainer's own
/// evaluation predicts it, so the accuracies are the same to the last bit.
///
/// The evaluation took half of a 784-40-20-10 run while the second core sat idle during the
/// training steps; now the evaluation of iteration t runs beside steps t+1…t+10 (10 dense steps
/// and an evaluation of 784-40-20-10, `scratchnet train --hidden 40,20 --activation sigmoid
/// --iterations 500 --eval-every 10`: 3.70–4.25 → 2.87 ms).
final class DeferredEvaluation<Scalar: TensorScalar>: @unchecked Sendable {
    /// Rows each thread claims at a time.
    static var chunkRows: Int { 1000 }

    /// The network as it stood at the recorded iteration.
    let snapshot: Sequential<Scalar>
    private let sets: [(images: NetworkImages<Scalar>, labels: [Int])]
    private let chunks: [(set: Int, rows: Range<Int>)]
    private let batchSize: Int
    private let correct: UnsafeMutableBufferPointer<Int>
    private let lock = NSLock()
    private var nextChunk = 0
    private let worker = DispatchGroup()

    /// Starts evaluating `snapshot` on each of `sets` (images and labels) on another thread.
    init(_ snapshot: Sequential<Scalar>, on sets: [(images: NetworkImages<Scalar>, labels: [Int])], batchSize: Int) {
        self.snapshot = snapshot
        self.sets = sets
        self.batchSize = batchSize
        chunks = sets.indices.flatMap { set in
            stride(from: 0, to: sets[set].labels.count, by: Self.chunkRows).map { start in
                (set, start..<min(start + Self.chunkRows, sets[set].labels.count))
            }
        }
        correct = .allocate(capacity: chunks.count)
        correct.initialize(repeating: 0)
        let forced = GEMMSelection.forced
        DispatchQueue.global(qos: .userInitiated).async(group: worker) { [self] in
            // Task-local values do not follow the work to another thread: bound here.
            GEMMSelection.$forced.withValue(forced) { work() }
        }
    }

    deinit { correct.deallocate() }

    /// Evaluates chunks until none is left, each on the calling thread alone.
    private func work() {
        GEMMSelection.$threadLimit.withValue(1) {
            while true {
                lock.lock()
                let i = nextChunk
                nextChunk += 1
                lock.unlock()
                guard i < chunks.count else { return }
                let (set, rows) = chunks[i]
                correct[i] = sets[set].images.correctPredictions(snapshot, labels: sets[set].labels, rows: rows,
                                                                 batchSize: batchSize)
            }
        }
    }

    /// Joins in, waits for the other thread, and returns each set's accuracy.
    func finish() -> [Double] {
        work()
        worker.wait()
        return sets.indices.map { set in
            let count = zip(chunks, correct).filter { $0.0.set == set }.reduce(0) { $0 + $1.1 }
            return sets[set].labels.isEmpty ? 0 : Double(count) / Double(sets[set].labels.count)
        }
    }
}
