import ScratchData
import ScratchTensor
import ScratchTrain

/// Where a run takes MNIST from (the CLI's `--data-dir`, `--sample`, `--no-download`).
public struct DataOptions: Sendable, Equatable {
    public var dataDirectory: String?
    /// Use the bundled sample even when full MNIST is available.
    public var sampleOnly: Bool
    public var allowDownload: Bool

    public init(dataDirectory: String? = nil, sampleOnly: Bool = false, allowDownload: Bool = true) {
        self.dataDirectory = dataDirectory
        self.sampleOnly = sampleOnly
        self.allowDownload = allowDownload
    }

    /// Loads flattened, normalized MNIST in precision `T`, following the
    /// locator's order: --data-dir → $SCRATCHNET_DATA → cache → download → bundled sample.
    public func load<T: TensorScalar>(flatten: Bool = true, as _: T.Type) throws -> LoadedData<T> {
        let locator = MNISTLocator(dataDirectory: dataDirectory, allowDownload: allowDownload, useSampleOnly: sampleOnly)
        let located = try locator.load(normalize: true, flatten: flatten, oneHot: false, as: T.self)
        return LoadedData(
            training: LabeledImages(images: located.dataset.train.images, labels: located.dataset.train.labels),
            test: LabeledImages(images: located.dataset.test.images, labels: located.dataset.test.labels),
            source: located.source, warnings: located.warnings)
    }
}

/// MNIST as the training loop consumes it, plus a line saying where it came from.
public struct LoadedData<Scalar: TensorScalar>: Sendable {
    public var training: LabeledImages<Scalar>
    public var test: LabeledImages<Scalar>
    public var source: DataSource
    public var warnings: [String]

    /// Whether the files were the small bundled sample rather than full MNIST.
    public var isSample: Bool { source.isBundledSample }
}
