import RealModule

// Reductions, row-wise operations and row gathering.

extension Tensor {
    /// Σ of every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            var s: Scalar = 0
            for v in p { s += v }
            return s
        }
    }

    /// Σ of squared elements (the L2 penalty's ΣW²). In float32 summed in 32 interleaved
    /// partial sums (16 times faster than one running sum; the last bits may differ).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumOfSquares() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            if Scalar.self == Float.self, p.count > 0 {
                return Scalar(FloatLoops.sum(p.baseAddress!.float, count: p.count, { $0 * $0 }, { $0 * $0 }))
            }
            var s: Scalar = 0
            for v in p { s += v * v }
            return s
        }
    }

    /// Σ|x| (the L1 penalty). In float32 summed in 32 interleaved partial sums.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumOfAbsolutes() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            if Scalar.self == Float.self, p.count > 0 {
                return Scalar(FloatLoops.sum(p.baseAddress!.float, count: p.count, {
                    unsafeBitCast(unsafeBitCast($0, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: SIMD16<Float>.self)
                }, { Swift.abs($0) }))
            }
            var s: Scalar = 0
            for v in p { s += Swift.abs(v) }
            return s
        }
    }

    /// The Euclidean (Frobenius) norm √Σx².
    public func norm() -> Scalar { sumOfSquares().squareRoot() }

    /// Mean of every element.
    public func mean() -> Scalar { count == 0 ? 0 : sum() / Scalar(count) }

    /// Column sums (NumPy's `x.sum(axis=0)`): `[N, D]` → `[D]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumRows() -> Tensor { .fresh { sumRows(into: &$0) } }

    /// ``sumRows()`` written over `out`'s elements when it has as many (``Tensor/init()``):
    /// an Affine layer's `db`, into its bias gradient. `out` keeps its shape when it has one
    /// dimension of `columns`, else becomes `[columns]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumRows(into out: inout Tensor) {
        let n = columns, m = rows
        if out.count != n || out.rank != 1 { out = Tensor(shape: [n]) }
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                if Scalar.self == Float.self, let xp = x.baseAddress, let op = o.baseAddress {
                    FloatLoops.sumRows(xp.float, rows: m, columns: n, into: op.float)
                    return
                }
                for j in 0..<n { o[j] = 0 }
                for r in 0..<m {
                    let base = r * n
                    for j in 0..<n { o[j] += x[base + j] }
                }
            }
        }
    }

    /// Column means (NumPy's `x.mean(axis=0)`): `[N, D]` → `[D]`.
    public func meanRows() -> Tensor { sumRows() * (1 / Scalar(Swift.max(rows, 1))) }

    /// The index of the largest element of each row (first one on ties, like NumPy).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmaxRows() -> [Int] {
        var classes = [Int](repeating: 0, count: rows)
        forEachRowArgmax { r, best in classes[r] = best }
        return classes
    }

    /// How many rows have their largest element (the first one on ties, as ``argmaxRows()``)
    /// at the column `labels` gives: the correct predictions of a batch of class scores.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func countArgmaxMatches(_ labels: [Int]) -> Int { countArgmaxMatches(labels[...]) }

    /// ``countArgmaxMatches(_:)`` for a slice of a set's labels (no copy of them).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func countArgmaxMatches(_ labels: ArraySlice<Int>) -> Int {
        precondition(labels.count == rows, "\(rows) rows for \(labels.count) labels")
        guard columns > 0 else { return 0 }
        var correct = 0
        let first = labels.startIndex
        forEachRowArgmax { r, best in correct += best == labels[first + r] ? 1 : 0 }
        return correct
    }

    /// Calls `body(r, j)` for every row r with j the column of its largest element (the first
    /// on ties; NaN is never larger, so a row that starts with NaN gives 0).
    ///
    /// Four rows are scanned side by side: each row's scan is a chain of dependent compares
    /// (about 5 cycles per element), so one row at a time waits on it; four chains at once
    /// measured 3.5× faster on 10 columns. (The last group repeats its last row: scanned, not
    /// reported.)
    @inline(__always)
    private func forEachRowArgmax(_ body: (_ row: Int, _ column: Int) -> Void) {
        let n = columns
        guard n > 0 else {
            for r in 0..<rows { body(r, 0) }
            return
        }
        scalars.withUnsafeBufferPointer { x in
            guard let x = x.baseAddress else { return }
            for r in stride(from: 0, to: rows, by: 4) {
                let p0 = x + r * n, p1 = x + Swift.min(r + 1, rows - 1) * n
                let p2 = x + Swift.min(r + 2, rows - 1) * n, p3 = x + Swift.min(r + 3, rows - 1) * n
                var b0 = 0, b1 = 0, b2 = 0, b3 = 0
                var v0 = p0[0], v1 = p1[0], v2 = p2[0], v3 = p3[0]
                for j in 1..<n {
                    if p0[j] > v0 { b0 = j; v0 = p0[j] }
                    if p1[j] > v1 { b1 = j; v1 = p1[j] }
                    if p2[j] > v2 { b2 = j; v2 = p2[j] }
                    if p3[j] > v3 { b3 = j; v3 = p3[j] }
                }
                body(r, b0)
                if r + 1 < rows { body(r + 1, b1) }
                if r + 2 < rows { body(r + 2, b2) }
                if r + 3 < rows { body(r + 3, b3) }
            }
        }
    }

    /// Softmax of each row: exp(x − max) / Σ exp(x − max). Subtracting the row
    /// maximum first keeps exp from overflowing (the course's softmax).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxRows() -> Tensor {
        let n = columns
        return scalars.withUnsafeBufferPointer { x in
            Tensor(uninitializedShape: shape, count: x.count) { o in
                for r in 0..<rows { Self.softmaxRow(x.baseAddress! + r * n, into: o + r * n, count: n) }
            }
        }
    }

    /// One row of ``softmaxRows()``: `o` may be uninitialized.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Scalar>, into o: UnsafeMutablePointer<Scalar>, count n: Int) {
        guard n > 0 else { return }
        var m = x[0]
        for j in 1..<n where x[j] > m { m = x[j] }
        var total: Scalar = 0
        for j in 0..<n {
            let e = Scalar.exp(x[j] - m)
            (o + j).initialize(to: e)
            total += e
        }
        for j in 0..<n { o[j] /= total }
    }

    /// Softmax of each row and the mean cross-entropy against `labels` in one pass
    /// (``softmaxRows()`` followed by the course's `−Σᵢ log(y[i, tᵢ] + 1e-7) / N`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxCrossEntropy(labels: [Int]) -> (probabilities: Tensor, loss: Scalar) {
        var y = Tensor()
        let loss = softmaxCrossEntropy(labels: labels, into: &y)
        return (y, loss)
    }

    /// ``softmaxCrossEntropy(labels:)`` with the probabilities written over `y`'s elements when
    /// it has as many (``Tensor/init()``); returns the loss.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxCrossEntropy(labels: [Int], into y: inout Tensor) -> Scalar {
        let n = columns
        precondition(rows == labels.count, "\(rows) predictions for \(labels.count) labels")
        var total: Scalar = 0
        scalars.withUnsafeBufferPointer { x in
            y.overwrite(shape: shape, count: x.count) { o in
                for r in 0..<rows {
                    Self.softmaxRow(x.baseAddress! + r * n, into: o + r * n, count: n)
                    let label = labels[r]
                    precondition(label >= 0 && label < n, "label \(label) outside 0..<\(n)")
                    total -= Scalar.log(o[r * n + label] + 1e-7)
                }
            }
        }
        return total / Scalar(labels.count)
    }

    /// The gradient of the mean softmax cross-entropy from the probabilities `self`:
    /// `(y − t) / N` with `t` the one-hot labels.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxCrossEntropyGradient(labels: [Int]) -> Tensor {
        .fresh { softmaxCrossEntropyGradient(labels: labels, into: &$0) }
    }

    /// ``softmaxCrossEntropyGradient(labels:)`` written over `dx`'s elements when it has as
    /// many (``Tensor/init()``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxCrossEntropyGradient(labels: [Int], into dx: inout Tensor) {
        let n = columns
        precondition(rows == labels.count, "\(rows) predictions for \(labels.count) labels")
        let scale = 1 / Scalar(labels.count)
        scalars.withUnsafeBufferPointer { y in
            dx.overwrite(shape: shape, count: y.count) { o in
                for r in 0..<rows {
                    let label = labels[r]
                    precondition(label >= 0 && label < n, "label \(label) outside 0..<\(n)")
                    for j in 0..<n {
                        let t: Scalar = j == label ? 1 : 0
                        (o + r * n + j).initialize(to: (y[r * n + j] - t) * scale)
                    }
                }
            }
        }
    }

    /// The rows at `indices`, in that order (a minibatch): `[N, ...]` → `[indices.count, ...]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int]) -> Tensor { .fresh { gatherRows(indices, into: &$0) } }

    /// ``gatherRows(_:)`` written over `batch`'s elements when it has as many (``Tensor/init()``):
    /// the minibatch buffers a trainer reuses.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int], into batch: inout Tensor) {
        let n = columns
        let count = indices.count * n
        let sameShape = batch.rank == rank && batch.rows == indices.count && batch.shape.dropFirst() == shape.dropFirst()
        scalars.withUnsafeBufferPointer { x in
            batch.overwrite(shape: sameShape ? batch.shape : [indices.count] + shape.dropFirst(), count: count) { o in
                for source in indices {
                    precondition(source >= 0 && source < rows, "row \(source) out of range 0..<\(rows)")
                }
                guard n > 0 else { return }
                if Scalar.self == Float.self {
                    // 16 rows copied side by side, 64 bytes of each in turn: 16 reads from memory
                    // in flight instead of one row's (the rows are scattered over the set).
                    FloatLoops.gatherRows(indices, from: x.baseAddress!.float, columns: n, into: o.float)
                } else {
                    for (r, source) in indices.enumerated() { (o + r * n).initialize(from: x.baseAddress! + source * n, count: n) }
                }
            }
        }
    }

    /// Rows `range` as a new tensor (a contiguous slice of the batch).
    public func rows(_ range: Range<Int>) -> Tensor {
        let n = columns
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      scalars: Array(scalars[(range.lowerBound * n)..<(range.upperBound * n)]))
    }

    /// One-hot encoding of class labels: `[N]` labels → `[N, classes]`.
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var out = Tensor(shape: [labels.count, classes])
        for (r, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            out.scalars[r * classes + label] = 1
        }
        return out
    }

    /// Matrix transpose of a `[M, N]` tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed() -> Tensor {
        let (m, n) = (rows, columns)
        return scalars.withUnsafeBufferPointer { x in
            Tensor(uninitializedShape: [n, m], count: m * n) { o in
                for i in 0..<m { for j in 0..<n { (o + j * m + i).initialize(to: x[i * n + j]) } }
            }
        }
    }
}
