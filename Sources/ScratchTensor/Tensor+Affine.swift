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
    /// `σ(x·W + b) = 1 / (1 + exp(−(x·W + b)))`: an Affine layer followed by Sigmoid, fused
    /// (inference only; the same numbers as ``Tensor/sigmoid()`` on the sum).
    case sigmoid
}

extension Tensor {
    /// `op(a)·op(b)` into fresh storage: ``MatMul/multiply(_:_:transposeA:transposeB:)``
    /// without zero-filling the result first.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        .fresh { product(a, b, transposeA: transposeA, transposeB: transposeB, into: &$0) }
    }

    /// ``product(_:_:transposeA:transposeB:)`` written over `c`'s elements when it has as many
    /// (``Tensor/init()``; `c` keeps a shape that reads as `[M, N]`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                               into out: inout Tensor) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        precondition(k == kb, "matrix product shapes do not chain: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.overwrite(rows: m, columns: n) { c in
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

    /// An Affine layer's forward pass: `x·W + b`, or `max(0, x·W + b)` with `.relu`, or
    /// `σ(x·W + b)` with `.sigmoid`.
    ///
    /// Shapes: `x [N, d_in]` (or `[N, …]`, read as `[N, d_in]`), `W [d_in, d_out]`, `b [d_out]`
    /// → `[N, d_out]`; with `rows`, only those rows of `x` (read in place) → `[rows.count, d_out]`.
    /// Where ``GEMMSelection`` gives a float32 product several threads, each thread computes a
    /// band of rows and adds the bias to it.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func affine(_ x: Tensor, _ w: Tensor, bias b: Tensor, activation: AffineActivation = .identity,
                              rows: Range<Int>? = nil) -> Tensor {
        .fresh { affine(x, w, bias: b, activation: activation, rows: rows, into: &$0) }
    }

    /// ``affine(_:_:bias:activation:rows:)`` written over `out`'s elements when it has as many
    /// (``Tensor/init()``): an Affine layer's training-mode output, kept from step to step.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func affine(_ x: Tensor, _ w: Tensor, bias b: Tensor, activation: AffineActivation = .identity,
                              rows: Range<Int>? = nil, into out: inout Tensor) {
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
        x.scalars.withUnsafeBufferPointer { px in
            w.scalars.withUnsafeBufferPointer { pw in
                b.scalars.withUnsafeBufferPointer { pb in
                    out.overwrite(rows: m, columns: n) { c in
                        guard k > 0 else {
                            finishRows(c, 0..<m, n, zeroProduct: true, pb.baseAddress!, activation)
                            return
                        }
                        let first = px.baseAddress! + rows.lowerBound * k
                        if threads <= 1 {
                            MatMul.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k,
                                        a: first, lda: k, b: pw.baseAddress!, ldb: n,
                                        beta: 0, c: c, ldc: n)
                            finishRows(c, 0..<m, n, zeroProduct: false, pb.baseAddress!, activation)
                            return
                        }
                        // Float only (threads > 1): bands of whole 8-row blocks, one per thread.
                        ParallelLoop.run(threads, AffineBands(
                            x: UnsafeRawPointer(first).assumingMemoryBound(to: Float.self), k: k,
                            w: UnsafeRawPointer(pw.baseAddress!).assumingMemoryBound(to: Float.self), n: n,
                            bias: UnsafeRawPointer(pb.baseAddress!).assumingMemoryBound(to: Float.self),
                            out: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self),
                            m: m, threads: threads, activation: activation))
                    }
                }
            }
        }
    }

    /// Adds the bias to rows `rows` of a product `c` with rows of n (or writes it, when the
    /// product is empty) and applies the activation: ReLU row by row, σ over the rows as one
    /// contiguous block (the 16-lane σ would otherwise take a partial vector at every row's end).
    @inline(__always)
    static func finishRows(_ c: UnsafeMutablePointer<Scalar>, _ rows: Range<Int>, _ n: Int, zeroProduct: Bool,
                           _ bias: UnsafePointer<Scalar>, _ activation: AffineActivation) {
        for r in rows {
            let row = c + r * n
            if zeroProduct { row.initialize(repeating: 0, count: n) }
            if Scalar.self == Float.self {
                if activation == .relu {
                    FloatLoops.addBiasReLU(row.float, bias.float, count: n)
                } else {
                    FloatLoops.addBias(row.float, bias.float, count: n)
                }
            } else {
                for j in 0..<n {
                    let v = row[j] + bias[j]
                    row[j] = activation == .relu && !(v > 0) ? 0 : v
                }
            }
        }
        if activation == .sigmoid { sigmoidInPlace(c + rows.lowerBound * n, count: rows.count * n) }
    }

    /// `x[i] = σ(x[i])` for i in 0..<count, as ``sigmoid()`` computes it.
    @inline(__always)
    static func sigmoidInPlace(_ x: UnsafeMutablePointer<Scalar>, count: Int) {
        if Scalar.self == Float.self {
            FloatLoops.sigmoid(x.float, into: x.float, count: count)
        } else {
            for i in 0..<count { x[i] = 1 / (1 + Scalar.exp(-x[i])) }
        }
    }
}

/// Thread t's band of whole 8-row blocks of a float32 ``Tensor/affine(_:_:bias:activation:rows:into:)``:
/// its rows of `x·W`, then the bias (and activation) added while they are in its cache.
private struct AffineBands: ParallelJob, @unchecked Sendable {
    let x: UnsafePointer<Float>, k: Int
    let w: UnsafePointer<Float>, n: Int
    let bias: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
    let m: Int, threads: Int
    let activation: AffineActivation

    func run(iteration t: Int) {
        let blocks = (m + 7) / 8
        let r0 = min(m, t * blocks / threads * 8)
        let r1 = min(m, (t + 1) * blocks / threads * 8)
        guard r0 < r1 else { return }
        SGEMMKernel.sgemm(transposeA: false, transposeB: false, m: r1 - r0, n: n, k: k, a: x + r0 * k, lda: k,
                          b: w, ldb: n, beta: 0, c: out + r0 * n, ldc: n, threads: 1)
        Tensor<Float>.finishRows(out, r0..<r1, n, zeroProduct: false, bias, activation)
    }
}

/// A pointer handed to the threads of one operation (each writes a part no other touches).
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
