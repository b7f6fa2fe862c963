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

    /// Σ of squared elements (the L2 penalty's ΣW²).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumOfSquares() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
            var s: Scalar = 0
            for v in p { s += v * v }
            return s
        }
    }

    /// Σ|x| (the L1 penalty).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sumOfAbsolutes() -> Scalar {
        scalars.withUnsafeBufferPointer { p in
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
    public func sumRows() -> Tensor {
        let n = columns
        var out = Tensor(shape: [n])
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                for r in 0..<rows {
                    let base = r * n
                    for j in 0..<n { o[j] += x[base + j] }
                }
            }
        }
        return out
    }

    /// Column means (NumPy's `x.mean(axis=0)`): `[N, D]` → `[D]`.
    public func meanRows() -> Tensor { sumRows() * (1 / Scalar(Swift.max(rows, 1))) }

    /// The index of the largest element of each row (first one on ties, like NumPy).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmaxRows() -> [Int] {
        let n = columns
        return scalars.withUnsafeBufferPointer { x in
            (0..<rows).map { r in
                let base = r * n
                var best = 0
                var bestValue = x[base]
                for j in 1..<Swift.max(n, 1) where x[base + j] > bestValue {
                    best = j
                    bestValue = x[base + j]
                }
                return best
            }
        }
    }

    /// Softmax of each row: exp(x − max) / Σ exp(x − max). Subtracting the row
    /// maximum first keeps exp from overflowing (the course's softmax).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmaxRows() -> Tensor {
        let n = columns
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: o[(r * n)..<(r * n + n)])
                var m = row[0]
                for v in row where v > m { m = v }
                var total: Scalar = 0
                for j in row.indices {
                    row[j] = Scalar.exp(row[j] - m)
                    total += row[j]
                }
                for j in row.indices { row[j] /= total }
            }
        }
        return out
    }

    /// The rows at `indices`, in that order (a minibatch): `[N, ...]` → `[indices.count, ...]`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let n = columns
        var out = Tensor(shape: [indices.count] + shape.dropFirst())
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                for (r, source) in indices.enumerated() {
                    precondition(source >= 0 && source < rows, "row \(source) out of range 0..<\(rows)")
                    _ = UnsafeMutableBufferPointer(rebasing: o[(r * n)..<(r * n + n)])
                        .update(fromContentsOf: x[(source * n)..<(source * n + n)])
                }
            }
        }
        return out
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
        var out = Tensor(shape: [n, m])
        out.scalars.withUnsafeMutableBufferPointer { o in
            scalars.withUnsafeBufferPointer { x in
                for i in 0..<m { for j in 0..<n { o[j * m + i] = x[i * n + j] } }
            }
        }
        return out
    }
}
