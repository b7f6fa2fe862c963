// Results written over a tensor kept from the step before: how the operations' `into:` forms
// (`Tensor.affine(…, into:)`, `sigmoid(into:)`, …) let a layer compute every training step
// after the first without allocating (see ``Tensor/init()``).

extension Tensor {
    /// The result of an `into:` operation in fresh storage (how each operation's plain form
    /// calls its `into:` form): `.fresh { x.sigmoid(into: &$0) }`.
    @inline(__always)
    static func fresh(_ write: (inout Tensor) -> Void) -> Tensor {
        var result = Tensor()
        write(&result)
        return result
    }

    /// Writes a result of `count` elements, every one of them by `initialize`, over this
    /// tensor's elements when it has `count` of them (copy-on-write: storage another tensor
    /// shares is copied first, so that one keeps its values), else into fresh storage; then
    /// gives it `shape` (assigned only when it differs: the same shape array is shared).
    @inline(__always)
    mutating func overwrite(shape newShape: [Int], count: Int, _ initialize: (UnsafeMutablePointer<Scalar>) -> Void) {
        overwrite(count: count, initialize)
        if shape != newShape { shape = newShape }
    }

    /// ``overwrite(shape:count:_:)`` for a `rows × columns` result: the tensor keeps its shape
    /// when it already reads as that matrix (a `[N, C, H, W]` gradient stays so), else becomes
    /// `[rows, columns]`.
    @inline(__always)
    mutating func overwrite(rows: Int, columns: Int, _ initialize: (UnsafeMutablePointer<Scalar>) -> Void) {
        overwrite(count: rows * columns, initialize)
        if shape.count < 2 || shape[0] != rows || self.columns != columns { shape = [rows, columns] }
    }

    /// ``overwrite(shape:count:_:)`` for a `[d0, d1, d2, d3]` result (the shape array made only
    /// when it changes).
    @inline(__always)
    mutating func overwrite(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int, _ initialize: (UnsafeMutablePointer<Scalar>) -> Void) {
        overwrite(count: d0 * d1 * d2 * d3, initialize)
        if !(shape.count == 4 && shape[0] == d0 && shape[1] == d1 && shape[2] == d2 && shape[3] == d3) {
            shape = [d0, d1, d2, d3]
        }
    }

    @inline(__always)
    private mutating func overwrite(count: Int, _ initialize: (UnsafeMutablePointer<Scalar>) -> Void) {
        if scalars.count == count {
            scalars.withUnsafeMutableBufferPointer { if count > 0 { initialize($0.baseAddress!) } }
        } else {
            scalars = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { initialize(buffer.baseAddress!) }
                initialized = count
            }
        }
    }

    /// Makes this tensor one of `shape` whose elements the caller then writes through
    /// `scalars.withUnsafeMutableBufferPointer` (when its count changes, fresh zeros; else the
    /// storage is kept, or copied if shared). For kernels with several results.
    mutating func reuse(shape newShape: [Int]) {
        if count != newShape.reduce(1, *) { self = Tensor(shape: newShape) } else if shape != newShape { shape = newShape }
    }

    /// ``reuse(shape:)`` for a `rows × columns` result, shaped as ``overwrite(rows:columns:_:)`` shapes it.
    mutating func reuse(rows: Int, columns: Int) {
        if count != rows * columns {
            self = Tensor(shape: [rows, columns])
        } else if shape.count < 2 || shape[0] != rows || self.columns != columns {
            shape = [rows, columns]
        }
    }

    /// ``reuse(shape:)`` for a rank-1 result of `count` elements.
    mutating func reuse(count n: Int) {
        if count != n || rank != 1 { self = Tensor(shape: [n]) }
    }
}
