import ScratchTensor

/// One split of MNIST (training or test) ready for a network.
///
/// Course reference: the `(x_train, t_train)` / `(x_test, t_test)` pairs that
/// `load_mnist(normalize, flatten, one_hot_label)` returns.
///
/// Shapes:
/// - `images`: `[N, 784]` when flattened, otherwise `[N, 1, 28, 28]` (`[N, C, H, W]`).
/// - `targets`: `[N, 10]` one-hot rows, or `[N]` holding the label values.
public struct MNISTSplit<T: TensorScalar>: Sendable, Equatable {
    /// The images, `x/255` in 0…1 when normalized, otherwise raw pixel values 0…255.
    public var images: Tensor<T>
    /// The digit (0…9) of each image.
    public var labels: [Int]
    /// What a loss compares against: one-hot rows `[N, 10]` or label values `[N]`.
    public var targets: Tensor<T>

    /// Number of examples.
    public var count: Int { labels.count }

    /// Creates a split; the first dimension of `images` and `targets` must equal `labels.count`.
    public init(images: Tensor<T>, labels: [Int], targets: Tensor<T>) {
        precondition(images.shape.first == labels.count && targets.shape.first == labels.count,
                     "images \(images.shape), \(labels.count) labels and targets \(targets.shape) disagree on N")
        self.images = images
        self.labels = labels
        self.targets = targets
    }

    /// The first `n` examples (all of them when `n ≥ count`), like NumPy's `x_train[:n]`.
    ///
    /// The course's hands-ons train on the first 300 or 5,000 training images:
    /// `dataset.train.prefix(300)`.
    public func prefix(_ n: Int) -> MNISTSplit {
        let keep = max(0, min(n, count))
        return MNISTSplit(images: images.firstRows(keep), labels: Array(labels.prefix(keep)),
                          targets: targets.firstRows(keep))
    }
}

/// MNIST's training and test splits.
///
/// Course reference: `(x_train, t_train), (x_test, t_test) = load_mnist(...)`.
public struct MNISTDataset<T: TensorScalar>: Sendable, Equatable {
    /// The training split (60,000 images in full MNIST, 5,000 in the bundled sample).
    public var train: MNISTSplit<T>
    /// The test split (10,000 images in full MNIST, 1,000 in the bundled sample).
    public var test: MNISTSplit<T>

    /// Creates a dataset from its two splits.
    public init(train: MNISTSplit<T>, test: MNISTSplit<T>) {
        self.train = train
        self.test = test
    }
}

/// One split of MNIST as bytes, exactly as stored in the IDX files.
public struct MNISTRawSplit: Sendable, Equatable {
    /// The images as uint8 pixels.
    public var images: IDXImages
    /// The labels, each 0…9.
    public var labels: [UInt8]

    /// Number of examples.
    public var count: Int { labels.count }

    /// Creates a raw split; `images.count` must equal `labels.count`.
    public init(images: IDXImages, labels: [UInt8]) {
        precondition(images.count == labels.count, "\(images.count) images but \(labels.count) labels")
        self.images = images
        self.labels = labels
    }

    /// The first `n` examples (all of them when `n ≥ count`).
    public func prefix(_ n: Int) -> MNISTRawSplit {
        let keep = max(0, min(n, count))
        let perImage = images.rows * images.columns
        return MNISTRawSplit(
            images: IDXImages(count: keep, rows: images.rows, columns: images.columns,
                              pixels: Array(images.pixels.prefix(keep * perImage))),
            labels: Array(labels.prefix(keep)))
    }
}

/// MNIST's training and test splits as bytes.
public struct MNISTRawDataset: Sendable, Equatable {
    /// The training split.
    public var train: MNISTRawSplit
    /// The test split.
    public var test: MNISTRawSplit

    /// Creates a raw dataset from its two splits.
    public init(train: MNISTRawSplit, test: MNISTRawSplit) {
        self.train = train
        self.test = test
    }
}

extension Tensor {
    /// The first `n` entries along the first dimension.
    func firstRows(_ n: Int) -> Tensor {
        let perRow = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [n] + shape.dropFirst(), scalars: Array(scalars.prefix(n * perRow)))
    }
}
