import Foundation
import ScratchTensor

/// Where ``MNIST/load(from:normalize:flatten:oneHot:as:)`` reads the four MNIST files.
public enum MNISTSource: Sendable, Equatable, CustomStringConvertible {
    /// A folder holding the four files, gzipped (`train-images-idx3-ubyte.gz`) or not
    /// (`train-images-idx3-ubyte`).
    case directory(String)
    /// The sample bundled with ScratchData: the first 5,000 training and 1,000 test images.
    case bundledSample

    /// The path this source reads `file` from: the `.gz` file when present, else the
    /// decompressed one when present, else the `.gz` path (which then reads as missing).
    public func path(of file: MNISTFile) throws -> String {
        let folder: String
        switch self {
        case .directory(let directory): folder = directory
        case .bundledSample: folder = try MNISTSample.directory()
        }
        return MNISTSource.existingPath(of: file, in: folder) ?? (folder as NSString).appendingPathComponent(file.fileName)
    }

    /// The files of the four that `directory` lacks (in either form), in ``MNISTFile/allCases`` order.
    public static func missingFiles(in directory: String) -> [MNISTFile] {
        MNISTFile.allCases.filter { existingPath(of: $0, in: directory) == nil }
    }

    static func existingPath(of file: MNISTFile, in directory: String) -> String? {
        for name in [file.fileName, file.uncompressedFileName] {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return path
            }
        }
        return nil
    }

    /// "the folder /x" or "the bundled sample".
    public var description: String {
        switch self {
        case .directory(let directory): return "the folder \(directory)"
        case .bundledSample: return "the bundled sample"
        }
    }
}

/// Loads MNIST, the course's handwritten-digit data set.
///
/// Course reference: `load_mnist(normalize=True, flatten=True, one_hot_label=False)` from the
/// book's `dataset/mnist.py`, which every Day 2 hands-on starts with:
/// ```swift
/// let mnist = try MNIST.load(from: .bundledSample, normalize: true, oneHot: true)
/// let batch = mnist.train.prefix(300)      // x_train[:300], t_train[:300]
/// ```
/// To find the data the way the `scratchnet` CLI does (`--data-dir`, `$SCRATCHNET_DATA`, the
/// cache, a download, the sample), use ``MNISTLocator``.
public enum MNIST {
    /// Number of classes (the digits 0…9).
    public static let classCount = 10

    /// Reads both splits as bytes and checks them: equal image and label counts, labels 0…9.
    /// - Throws: ``MNISTDataError`` naming the file at fault.
    public static func loadRaw(from source: MNISTSource) throws -> MNISTRawDataset {
        MNISTRawDataset(
            train: try readSplit(images: source.path(of: .trainImages), labels: source.path(of: .trainLabels)),
            test: try readSplit(images: source.path(of: .testImages), labels: source.path(of: .testLabels)))
    }

    /// Reads MNIST in the precision `T` (Float unless asked otherwise), as `load_mnist` does.
    ///
    /// - Parameters:
    ///   - source: a folder with the four files, or the bundled sample.
    ///   - normalize: pixels become `x/255` in 0…1; otherwise raw values 0…255.
    ///   - flatten: images are `[N, 784]`; otherwise `[N, 1, 28, 28]`.
    ///   - oneHot: targets are one-hot `[N, 10]`; otherwise the label values `[N]`.
    ///   - as: the element type, `Float.self` or `Double.self`.
    /// - Throws: ``MNISTDataError`` naming the file at fault.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func load<T: TensorScalar>(
        from source: MNISTSource, normalize: Bool = true, flatten: Bool = true, oneHot: Bool = false,
        as _: T.Type = T.self
    ) throws -> MNISTDataset<T> {
        let raw = try loadRaw(from: source)
        return MNISTDataset(
            train: makeSplit(raw.train, normalize: normalize, flatten: flatten, oneHot: oneHot, as: T.self),
            test: makeSplit(raw.test, normalize: normalize, flatten: flatten, oneHot: oneHot, as: T.self))
    }

    /// Reads MNIST in `Float`, as `load_mnist` does (see the generic overload).
    public static func load(
        from source: MNISTSource, normalize: Bool = true, flatten: Bool = true, oneHot: Bool = false
    ) throws -> MNISTDataset<Float> {
        try load(from: source, normalize: normalize, flatten: flatten, oneHot: oneHot, as: Float.self)
    }

    /// Turns a raw split into tensors of precision `T` (the conversion `load` uses).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func makeSplit<T: TensorScalar>(
        _ raw: MNISTRawSplit, normalize: Bool = true, flatten: Bool = true, oneHot: Bool = false,
        as _: T.Type = T.self
    ) -> MNISTSplit<T> {
        let n = raw.count, rows = raw.images.rows, columns = raw.images.columns
        let imageShape = flatten ? [n, rows * columns] : [n, 1, rows, columns]
        let images = Tensor<T>(shape: imageShape,
                               scalars: scalars(fromPixels: raw.images.pixels, normalize: normalize, as: T.self))
        let labels = raw.labels.map(Int.init)
        return MNISTSplit(images: images, labels: labels,
                          targets: oneHot ? oneHotTargets(labels, as: T.self) : Tensor<T>(labels.map { T($0) }))
    }

    /// Converts uint8 pixels to `T`: `x/255` when `normalize`, else `x` (a table lookup per pixel).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func scalars<T: TensorScalar>(fromPixels pixels: [UInt8], normalize: Bool, as _: T.Type = T.self) -> [T] {
        var table = [T](repeating: 0, count: 256)
        for value in 0 ..< 256 {
            table[value] = normalize ? T(value) / T(255) : T(value)
        }
        return [T](unsafeUninitializedCapacity: pixels.count) { output, initialized in
            pixels.withUnsafeBufferPointer { source in
                table.withUnsafeBufferPointer { lookup in
                    for i in 0 ..< source.count {
                        output.initializeElement(at: i, to: lookup[Int(source[i])])
                    }
                }
            }
            initialized = pixels.count
        }
    }

    /// One-hot rows `[N, 10]`: row `i` is 1 at column `labels[i]` and 0 elsewhere
    /// (the book's `_change_one_hot_label`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func oneHotTargets<T: TensorScalar>(_ labels: [Int], classCount: Int = MNIST.classCount, as _: T.Type = T.self) -> Tensor<T> {
        var targets = [T](repeating: 0, count: labels.count * classCount)
        for (row, label) in labels.enumerated() where label >= 0 && label < classCount {
            targets[row * classCount + label] = 1
        }
        return Tensor(shape: [labels.count, classCount], scalars: targets)
    }

    /// Reads one split's image and label files and checks they belong together.
    static func readSplit(images imagesPath: String, labels labelsPath: String) throws -> MNISTRawSplit {
        let images = try IDXReader.readImages(at: imagesPath)
        let labels = try IDXReader.readLabels(at: labelsPath)
        guard images.count == labels.count else {
            throw MNISTDataError.countMismatch(imagesPath: imagesPath, imageCount: images.count,
                                               labelsPath: labelsPath, labelCount: labels.count)
        }
        if let index = labels.labels.firstIndex(where: { Int($0) >= classCount }) {
            throw MNISTDataError.labelOutOfRange(path: labelsPath, index: index, value: Int(labels.labels[index]))
        }
        return MNISTRawSplit(images: images, labels: labels.labels)
    }
}
