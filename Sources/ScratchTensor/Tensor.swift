/// An n-dimensional array: a shape and contiguous row-major storage.
///
/// `Tensor` is a value type (copy-on-write through its `scalars` array).
/// Shapes follow NumPy: a minibatch of flattened MNIST images is `[N, 784]`,
/// a batch of images for a convolution is `[N, C, H, W]`.
public struct Tensor<Scalar: TensorScalar>: Sendable, Equatable {
    /// The size of each dimension, outermost first.
    public internal(set) var shape: [Int]
    /// The elements in row-major order (the last index varies fastest).
    public var scalars: [Scalar]

    /// Creates a tensor from its shape and row-major elements.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` whose `count` elements `initialize` writes, every one of them,
    /// straight into fresh storage: no zero-fill first and no copy (how operations make
    /// their results). `shape` must multiply out to `count`; this is not checked again.
    @inline(__always)
    init(uninitializedShape shape: [Int], count: Int,
         _ initialize: (UnsafeMutablePointer<Scalar>) -> Void) {
        self.shape = shape
        self.scalars = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { initialize(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// An empty tensor (shape `[0]`), to hand an operation as the buffer of its result: the
    /// `into:` forms of the operations a training step runs
    /// (``affine(_:_:bias:activation:rows:into:)``, ``sigmoid(into:)``, ...) write over a
    /// tensor's elements when it already has as many, so a layer that keeps its output and
    /// gradient tensors from one step to the next computes every step after the first without
    /// allocating (Tensor+Buffers.swift).
    public init() {
        shape = emptyShape
        scalars = []
    }

    /// Creates a tensor with every element set to `value`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public init(shape: [Int], repeating value: Scalar = 0) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// Creates a tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// Creates a rank-1 tensor.
    public init(_ scalars: [Scalar]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// Creates a rank-2 tensor from rows of equal length.
    public init(rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows of unequal length")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// Number of elements.
    public var count: Int { scalars.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// The first dimension (the batch size for `[N, ...]` tensors).
    public var rows: Int { shape.first ?? 1 }
    /// Elements per row: the product of every dimension but the first.
    public var columns: Int { shape.count <= 1 ? (shape.first ?? 1) : shape.dropFirst().reduce(1, *) }

    /// The same elements seen with another shape (NumPy's `reshape`).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Changes the shape in place; the element count must stay the same.
    public mutating func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// Element access by multi-index (slow path: for tests and small examples).
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[offset(index)] }
        set { scalars[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, dim) in zip(index, shape) {
            precondition(i >= 0 && i < dim, "index \(index) out of range for shape \(shape)")
            flat = flat * dim + i
        }
        return flat
    }

    /// Converts every element to another precision.
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }
}

/// The shape of ``Tensor/init()``, shared by every empty tensor.
private let emptyShape = [0]

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.precisionName)>\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}
