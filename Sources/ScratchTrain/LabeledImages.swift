import ScratchNN
import ScratchTensor

/// Images and their class labels: `[N, ...]` inputs and `N` labels.
public struct LabeledImages<Scalar: TensorScalar>: Sendable {
    public var images: Tensor<Scalar>
    public var labels: [Int]

    public init(images: Tensor<Scalar>, labels: [Int]) {
        precondition(images.rows == labels.count, "\(images.rows) images but \(labels.count) labels")
        self.images = images
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The first `n` samples (the course's hands-ons use the first 300 or 5,000).
    public func prefix(_ n: Int) -> LabeledImages {
        let n = min(n, count)
        return LabeledImages(images: images.rows(0..<n), labels: Array(labels[0..<n]))
    }
}

/// A set of images as the trainer hands them to a network: dense, or stored by their nonzero
/// pixels (``SparseRows``) when the network's first layer reads those directly and most
/// pixels are 0 (MNIST: 81%), so that each evaluation and each training step multiplies only
/// the nonzeros. Either way the network computes the same numbers (within rounding).
enum NetworkImages<Scalar: TensorScalar> {
    case dense(Tensor<Scalar>)
    case sparse(SparseRows<Scalar>)

    /// Densities above this keep the images dense (the sparse product then saves little).
    static var maximumSparseDensity: Double { 0.5 }

    /// Converting reads the images twice, about what one dense evaluation costs; each sparse
    /// evaluation then saves about half of one. Sets evaluated fewer times stay dense.
    static var minimumEvaluationsForSparse: Int { 5 }

    /// `images` as `network` evaluates them fastest, for `evaluations` evaluations.
    init<Net: Network>(_ images: Tensor<Scalar>, for network: Net, evaluations: Int) where Net.Scalar == Scalar {
        self.init(images, for: network, sparseIfPossible: evaluations >= Self.minimumEvaluationsForSparse)
    }

    /// `images` as `network` trains on them fastest, when minibatches draw `sampledRows` rows
    /// in all. Converting takes about 0.65 µs per MNIST image (38 ms for the 60,000, on two
    /// threads) and each row drawn sparse saves about 0.4 µs of a step (784-40-20-10), so sets
    /// sampled at least twice over are converted (1000 steps of 100, once over and two
    /// thirds, measured even). With two cores the dense minibatches cost less still: the
    /// second core gathers them and evaluates while the first trains (``MinibatchLoader``,
    /// ``DeferredEvaluation``). Converting on the second core in the background instead, while
    /// the first steps drew dense minibatches, measured 5–15% slower for 1000 steps and 2–8%
    /// for 2000 once those two took that core: the conversion's memory traffic slowed both.
    init<Net: Network>(_ images: Tensor<Scalar>, for network: Net, sampledRows: Int) where Net.Scalar == Scalar {
        self.init(images, for: network, sparseIfPossible: sampledRows >= 2 * images.rows)
    }

    private init<Net: Network>(_ images: Tensor<Scalar>, for network: Net, sparseIfPossible: Bool) where Net.Scalar == Scalar {
        if sparseIfPossible, network.acceptsSparseInput,
           let sparse = SparseRows(images, maximumDensity: Self.maximumSparseDensity) {
            self = .sparse(sparse)
        } else {
            self = .dense(images)
        }
    }

    /// The images at `indices` (a minibatch), in the same form, written into `buffer`'s storage
    /// (nil the first time; then no allocation); with `listingColumns`, sparse rows also listed
    /// by column (``SparseRows/indexedByColumn()``), as ``MinibatchLoader`` prepares them on the
    /// second core (on the first, the product lists them faster itself).
    func batch(_ indices: [Int], listingColumns: Bool = false, into buffer: inout NetworkImages?) {
        let old = buffer
        buffer = nil   // `old` the storage's only owner, when the trainer has let go of it
        switch self {
        case .dense(let x):
            var rows = Tensor<Scalar>()
            if case .dense(let kept)? = old { rows = kept }
            x.gatherRows(indices, into: &rows)
            buffer = .dense(rows)
        case .sparse(let x):
            var rows = SparseRows<Scalar>()
            if case .sparse(let kept)? = old { rows = kept }
            x.gatherRows(indices, listingColumns: listingColumns, into: &rows)
            buffer = .sparse(rows)
        }
    }

    /// ``Network/gradient(_:labels:)``.
    func gradient<Net: Network>(_ network: Net, labels: [Int]) -> Scalar where Net.Scalar == Scalar {
        switch self {
        case .dense(let x): network.gradient(x, labels: labels)
        case .sparse(let x): network.gradient(x, labels: labels)
        }
    }

    /// ``Network/correctPredictions(_:labels:rows:batchSize:)``.
    func correctPredictions<Net: Network>(_ network: Net, labels: [Int], rows: Range<Int>, batchSize: Int) -> Int
    where Net.Scalar == Scalar {
        switch self {
        case .dense(let x): network.correctPredictions(x, labels: labels, rows: rows, batchSize: batchSize)
        case .sparse(let x): network.correctPredictions(x, labels: labels, rows: rows, batchSize: batchSize)
        }
    }

    /// ``Network/accuracy(_:labels:batchSize:)``.
    func accuracy<Net: Network>(_ network: Net, labels: [Int], batchSize: Int) -> Double where Net.Scalar == Scalar {
        switch self {
        case .dense(let x): network.accuracy(x, labels: labels, batchSize: batchSize)
        case .sparse(let x): network.accuracy(x, labels: labels, batchSize: batchSize)
        }
    }
}
