import Dispatch

// The fully connected layer's arithmetic, fused: the product written straight into fresh
// storage (no zero-fill), the bias (and ReLU at inference) added in the same pass, large
// products split by rows among threads with each thread adding the bias to its own rows
// while they are still in its cache.

/// What ``Tensor/affine(_:_:bias:activation:rows:)`` applies after adding the bias.
public enum AffineActivation: Sendable, Equatable {
    /// `x·W + b`.
    case identity
    /// `max(0, x·W + b)`: an Affine layer followed by ReLU, fused (inference only: training
    /// keeps both outputs for the backward pass).
    case relu
}

extension Tensor {
    /// `op(a)·op(b)` into fresh storage: ``MatMul/multiply(_:_:transposeA:transposeB:)``
    /// without zero-filling the result first.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        precondition(k == kb, "matrix product shapes do not chain: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        return a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                Tensor(uninitializedShape: [m, n], count: m * n) { c in
                    if k == 0 {
                        c.initialize(repeating: 0, count: m * n)
                    } else {
                        MatMul.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                    a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                                    beta: 0, c: c, ldc: n)
                    }
                }
            }
        }
    }

    /// An Affine layer's forward pass: `x·W + b`, or `max(0, x·W + b)` with `.relu`.
    ///
    /// Shapes: `x [N, d_in]` (or `[N, …]`, read as `[N, d_in]`), `W [d_in, d_out]`, `b [d_out]`
    /// → `[N, d_out]`; with `rows`, only those rows of `x` (read in place) → `[rows.count, d_out]`.
    /// Where ``GEMMSelection`` gives a float32 product several threads, each thread computes a
    /// band of rows and adds the bias to it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func affine(_ x: Tensor, _ w: Tensor, bias b: Tensor, activation: AffineActivation = .identity,
                              rows: Range<Int>? = nil) -> Tensor {
        let rows = rows ?? 0..<x.rows
        precondition(rows.lowerBound >= 0 && rows.upperBound <= x.rows, "rows \(rows) out of range 0..<\(x.rows)")
        let m = rows.count, k = x.columns, n = w.columns
        precondition(w.rank == 2 && w.rows == k,
                     "matrix product shapes do not chain: \(x.shape) · \(w.shape)")
        precondition(b.count == n, "bias has \(b.count) elements, the product has \(n) columns")
        var kernelThreads = 1
        if Scalar.self == Float.self, m > 0, n > 0, k > 0,
           case .kernel(let t) = GEMMSelection.choose(transposeA: false, transposeB: false, m: m, n: n, k: k) {
            kernelThreads = t
        }
        let threads = kernelThreads
        return x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
                b.scalars.withUnsafeBufferPointer { pb in
                    Tensor(uninitializedShape: [m, n], count: m * n) { c in
                        let relu = activation == .relu
                        guard k > 0 else {
                            for r in 0..<m { biasRow(c + r * n, zeroProduct: true, pb.baseAddress!, n, relu) }
                            return
                        }
                        let first = px.baseAddress! + rows.lowerBound * k
                        if threads <= 1 {
                            MatMul.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k,
                                        a: first, lda: k, b: pw.baseAddress!, ldb: n,
                                        beta: 0, c: c, ldc: n)
                            for r in 0..<m { biasRow(c + r * n, zeroProduct: false, pb.baseAddress!, n, relu) }
                            return
                        }
                        // Float only (threads > 1): bands of whole 8-row blocks, one per thread.
                        let a = SendablePointer(UnsafeMutableRawPointer(mutating: first))
                        let wp = SendablePointer(UnsafeMutableRawPointer(mutating: pw.baseAddress!))
                        let bp = SendablePointer(UnsafeMutableRawPointer(mutating: pb.baseAddress!))
                        let out = SendablePointer(UnsafeMutableRawPointer(c))
                        let blocks = (m + 7) / 8
                        DispatchQueue.concurrentPerform(iterations: threads) { t in
                            let r0 = min(m, t * blocks / threads * 8)
                            let r1 = min(m, (t + 1) * blocks / threads * 8)
                            guard r0 < r1 else { return }
                            let cf = out.pointer.assumingMemoryBound(to: Float.self)
                            SGEMMKernel.sgemm(transposeA: false, transposeB: false, m: r1 - r0, n: n, k: k,
                                              a: a.pointer.assumingMemoryBound(to: Float.self) + r0 * k, lda: k,
                                              b: wp.pointer.assumingMemoryBound(to: Float.self), ldb: n,
                                              beta: 0, c: cf + r0 * n, ldc: n, threads: 1)
                            let bias = UnsafePointer(bp.pointer.assumingMemoryBound(to: Float.self))
                            for r in r0..<r1 { Tensor<Float>.biasRow(cf + r * n, zeroProduct: false, bias, n, relu) }
                        }
                    }
                }
            }
        }
    }

    /// Adds the bias to one row of a product (or writes it, when the product is empty) and
    /// applies ReLU when asked.
    @inline(__always)
    static func biasRow(_ row: UnsafeMutablePointer<Scalar>, zeroProduct: Bool,
                        _ bias: UnsafePointer<Scalar>, _ n: Int, _ relu: Bool) {
        if zeroProduct {
            for j in 0..<n { (row + j).initialize(to: relu && !(bias[j] > 0) ? 0 : bias[j]) }
        } else if relu {
            if Scalar.self == Float.self {
                FloatLoops.addBiasReLU(row.float, bias.float, count: n)
            } else {
                for j in 0..<n {
                    let v = row[j] + bias[j]
                    row[j] = v > 0 ? v : 0
                }
            }
        } else {
            for j in 0..<n { row[j] += bias[j] }
        }
    }
}

/// A pointer handed to the threads of one operation (each writes a part no other touches).
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
