#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who computes a matrix product.
public enum GEMMBackend: Sendable, Equatable, CustomStringConvertible {
    /// The platform BLAS (OpenBLAS on Linux, Accelerate on Apple platforms).
    case blas
    /// ``SGEMMKernel`` on `threads` threads.
    case kernel(threads: Int)

    public var description: String {
        switch self {
        case .blas: "BLAS"
        case .kernel(let threads): "kernel×\(threads)"
        }
    }
}

/// The one place that decides, per product, between ``SGEMMKernel`` and BLAS.
///
/// The rule (``choose(transposeA:transposeB:m:n:k:)``):
/// - float64 → BLAS (`MatMul.gemm` does not ask: dgemm is only used for gradient checks);
/// - float32 → BLAS when ``SGEMMKernel/available`` is `nil` (module compiled without a SIMD
///   target, CPU without the instruction set, not x86-64 Linux) or in a debug build
///   (unoptimised SIMD code runs at 0.3 GFLOPS);
/// - otherwise the kernel, on 2 threads when M·N·K ≥ ``parallelThreshold`` (and the machine has
///   2 cores), else on the calling thread.
///
/// Why, measured with `scratchnet-gemm-bench` on the 2-vCPU Emerald Rapids machine, whose
/// Debian OpenBLAS 0.3.21 does not recognise the CPU and runs its SSE3 "Prescott" kernel on
/// 2 threads. GFLOPS, medians of 9 side-by-side rounds; ranges are over separate runs (other
/// processes share the 2 cores); the 2-thread column is from rounds with the second core free:
///
/// | product (M×N×K)                      | OpenBLAS | kernel ×1 | kernel ×2 |
/// |--------------------------------------|---------:|----------:|----------:|
/// | 100×40×784 (MLP layer 1, batch 100)   |    16–40 |   115–120 |       107 |
/// | 100×10×20 (MLP layer 3)               |       18 |        28 |        12 |
/// | 20×10×100 Aᵀ (its weight gradient)    |       20 |        20 |         9 |
/// | 10000×40×784 (test-set evaluation)    |    24–52 |   130–141 |       279 |
/// | 1000×40×784                           |    28–53 |   130–140 |       245 |
/// | 57600×30×25 Bᵀ (im2col convolution)   |    19–34 |     87–88 |       167 |
/// | 25×30×57600 Aᵀ (its weight gradient)  |    17–28 |     49–51 | 94 (split K) |
/// | 100×4320×100 Bᵀ (affine after conv)   |    30–61 |   113–115 | 216 (split columns) |
/// | 1024×1024×1024                        |    32–66 |   155–158 |       307 |
///
/// The kernel on one thread is at least as fast as this OpenBLAS on every product the course
/// runs (the benchmark lists 30), so no shape goes to BLAS by size. A second thread costs
/// ~10–30 µs to wake and pays from about 0.2 ms of work (M·N·K ≈ 12 M); below that the
/// kernel stays on the calling thread. How the threads split a product is
/// `SGEMMKernel.defaultSplit(m:n:k:)`.
public enum GEMMSelection {
    /// Forces a backend for the products run inside `withValue` (benchmarks and tests);
    /// `nil`, the default, lets ``choose(transposeA:transposeB:m:n:k:)`` decide.
    /// A kernel forced where ``SGEMMKernel/available`` is `nil` runs the AVX2-shaped code
    /// (correct everywhere, slow without SIMD). Double products always go to BLAS.
    @TaskLocal public static var forced: GEMMBackend? = nil

    /// At most this many threads per product inside `withValue` (e.g. 1 while
    /// several networks train side by side, one per core); `nil` means no limit.
    @TaskLocal public static var threadLimit: Int? = nil

    /// Cores this process may use (at least 1).
    public static let cores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Multiply-adds (M·N·K) from which the kernel runs on 2 threads.
    public static let parallelThreshold = 12_000_000

    /// The backend for a float32 product of this shape.
    public static func choose(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> GEMMBackend {
        if let forced { return forced }
        guard SGEMMKernel.available != nil else { return .blas }
        #if DEBUG
        return .blas
        #else
        return .kernel(threads: m * n * k >= parallelThreshold ? availableThreads : 1)
        #endif
    }

    /// The threads one operation may use here: at most 2, the cores and ``threadLimit``, and 1
    /// inside an iteration of a ``ParallelLoop`` (its other thread is busy with the loop).
    public static var availableThreads: Int {
        ParallelLoop.isInside ? 1 : max(1, min(2, cores, threadLimit ?? 2))
    }
}
