#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one seam for matrix products: every layer multiplies matrices through
/// `MatMul`, and this is the only file that calls BLAS (OpenBLAS on Linux,
/// Accelerate on Apple platforms). Float32 products go to ScratchNet's own
/// SIMD kernel (`SGEMMKernel`) where `GEMMSelection` finds it faster.
///
/// Tensors are read as matrices `[rows, columns]` where `rows` is the first
/// dimension and `columns` the product of the others, so a `[N, C, H, W]`
/// batch multiplies like `[N, C·H·W]`.
public enum MatMul {
    /// `op(A)·op(B)` where `op` transposes when asked.
    ///
    /// Shapes: `A [M, K]` (or `[K, M]` with `transposeA`), `B [K, N]`
    /// (or `[N, K]` with `transposeB`) → `[M, N]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func multiply<T: TensorScalar>(
        _ a: Tensor<T>, _ b: Tensor<T>, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor<T> {
        let m = transposeA ? a.columns : a.rows
        let n = transposeB ? b.rows : b.columns
        var c = Tensor<T>(shape: [m, n])
        multiply(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
        return c
    }

    /// `C = op(A)·op(B) + beta·C`, writing into an existing `[M, N]` tensor.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func multiply<T: TensorScalar>(
        _ a: Tensor<T>, _ b: Tensor<T>, transposeA: Bool = false, transposeB: Bool = false,
        into c: inout Tensor<T>, beta: T = 0
    ) {
        let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        precondition(k == kb, "matrix product shapes do not chain: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        precondition(c.rows == m && c.columns == n, "product is [\(m), \(n)] but the output is \(c.shape)")
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                c.scalars.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                         a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                         beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// Row-major `C = op(A)·op(B) + beta·C` on raw storage: the kernel or the BLAS call.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func gemm<T: TensorScalar>(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        if T.self == Float.self {
            let backend = GEMMSelection.choose(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
            if case .kernel(let threads) = backend {
                SGEMMKernel.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                  a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
                                  b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
                                  beta: Float(beta), c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self),
                                  ldc: ldc, threads: threads)
                return
            }
        }
        let ta = transposeA ? CblasTrans : CblasNoTrans
        let tb = transposeB ? CblasTrans : CblasNoTrans
        if T.self == Float.self {
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                        Float(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
        } else if T.self == Double.self {
            cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                        UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                        Double(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
        } else {
            preconditionFailure("MatMul supports Float and Double, not \(T.self)")
        }
    }
}
