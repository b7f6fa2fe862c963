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

    /// The samples at `indices` (a minibatch).
    public func batch(_ indices: [Int]) -> LabeledImages {
        LabeledImages(images: images.gatherRows(indices), labels: indices.map { labels[$0] })
    }
}
