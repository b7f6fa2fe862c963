/// The four files that make up MNIST, by the names every mirror uses.
///
/// Course reference: `load_mnist` in the book's `dataset/mnist.py` downloads and reads exactly
/// these four gzipped IDX files.
public enum MNISTFile: String, CaseIterable, Sendable, Hashable {
    /// 60,000 training images, 28×28 uint8 pixels (IDX magic `0x00000803`).
    case trainImages = "train-images-idx3-ubyte.gz"
    /// 60,000 training labels, uint8 values 0…9 (IDX magic `0x00000801`).
    case trainLabels = "train-labels-idx1-ubyte.gz"
    /// 10,000 test images.
    case testImages = "t10k-images-idx3-ubyte.gz"
    /// 10,000 test labels.
    case testLabels = "t10k-labels-idx1-ubyte.gz"

    /// The gzipped file name, e.g. `train-images-idx3-ubyte.gz`.
    public var fileName: String { rawValue }

    /// The name of the same file decompressed, e.g. `train-images-idx3-ubyte`.
    public var uncompressedFileName: String { String(rawValue.dropLast(3)) }

    /// The four file names as a readable list: "a, b, c and d".
    public static var allFileNames: String { listed(allCases.map(\.fileName)) }
}

/// SHA-256 checksums of the four MNIST files, used to verify every download.
///
/// Computed from the original files (the same bytes every mirror serves).
public enum MNISTChecksums {
    /// Hex-encoded SHA-256 of each gzipped MNIST file.
    public static let sha256: [MNISTFile: String] = [
        .trainImages: "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
        .trainLabels: "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
        .testImages: "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
        .testLabels: "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
    ]
}
