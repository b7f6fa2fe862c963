// scratchnet-gemm-bench: float32 GFLOPS of the matrix products the course runs, for BLAS as
// loaded (OpenBLAS on Linux, with whatever OPENBLAS_CORETYPE the environment has), for
// ScratchTensor's SIMD kernel on 1 thread and on 2 threads, and for what MatMul.gemm picks.
//
//   swift run -c release --scratch-path .build-gemm scratchnet-gemm-bench [--reps N] [--quick] [FILTER...]
//
// Every shape runs its backends round-robin (so a burst of noise hits all of them), `reps`
// rounds (default 7); each sample repeats the product until it has run ≥ 20 ms (5 ms with
// --quick). Printed: the median GFLOPS of each backend (the best sample with --best) and the
// kernel/BLAS ratios of those. FILTER words keep only shapes whose label contains one of them;
// a FILTER of the form 500x40x784 or 500x40x784:TN measures that shape instead.
import Dispatch
import Glibc
import ScratchTensor

struct Shape {
    let label: String
    let m: Int, n: Int, k: Int
    let ta: Bool, tb: Bool
    init(_ label: String, _ m: Int, _ n: Int, _ k: Int, _ ta: Bool = false, _ tb: Bool = false) {
        self.label = label; self.m = m; self.n = n; self.k = k; self.ta = ta; self.tb = tb
    }
    var name: String { "\(m)×\(n)×\(k) \(ta ? "T" : "N")\(tb ? "T" : "N")" }
}

var shapes: [Shape] = [
    // MLP 784-40-20-10, batch 100 (1_x / 2_x hands-ons): forward, backward dW (Aᵀ), dX (Bᵀ).
    Shape("mlp fwd1", 100, 40, 784), Shape("mlp fwd2", 100, 20, 40), Shape("mlp fwd3", 100, 10, 20),
    Shape("mlp dW1", 784, 40, 100, true), Shape("mlp dW2", 40, 20, 100, true), Shape("mlp dW3", 20, 10, 100, true),
    Shape("mlp dX3", 100, 20, 10, false, true), Shape("mlp dX2", 100, 40, 20, false, true),
    Shape("mlp dX1", 100, 784, 40, false, true),
    // Test-set evaluation (the biggest cost) and the 1000-image variant.
    Shape("eval 10k", 10000, 40, 784), Shape("eval 1k", 1000, 40, 784),
    // 2_5: 784-100×6 layers.
    Shape("deep fwd1", 100, 100, 784), Shape("deep fwdN", 100, 100, 100), Shape("deep dW1", 784, 100, 100, true),
    Shape("deep dWN", 100, 100, 100, true), Shape("deep dXN", 100, 100, 100, false, true),
    Shape("deep eval", 10000, 100, 784),
    // SimpleConvNet (30 filters 5×5 on 28×28, batch 100): im2col conv forward (col·Wᵀ), dcol, dW.
    Shape("conv fwd", 57600, 30, 25, false, true), Shape("conv fwd NN", 57600, 30, 25),
    Shape("conv dcol", 57600, 25, 30), Shape("conv dW", 25, 30, 57600, true),
    Shape("conv aff1", 100, 100, 4320), Shape("conv aff1 dW", 4320, 100, 100, true),
    Shape("conv aff1 dX", 100, 4320, 100, false, true), Shape("conv aff2", 100, 10, 100),
    // Deeper CNN: 16 filters 3×3 on 1 and 16 channels, 28×28, batch 100.
    Shape("cnn conv1", 78400, 16, 9, false, true), Shape("cnn conv2", 78400, 16, 144, false, true),
    Shape("cnn conv2 dW", 144, 16, 78400, true), Shape("cnn conv2 dcol", 78400, 144, 16),
    // Reference.
    Shape("square 1024", 1024, 1024, 1024),
]

var reps = 7
var best = false
let cpuTime = CommandLine.arguments.contains("--cpu-time")
let onlyKernel1 = cpuTime
let splits = CommandLine.arguments.contains("--splits")
var quick = false
var filters: [String] = []
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--reps": reps = Int(args.popFirst() ?? "") ?? reps
    case "--quick": quick = true
    case "--best": best = true
    case "--cpu-time", "--splits": break
    default:
        // "MxNxK" or "MxNxK:TN" adds a shape of its own (and keeps only the custom ones).
        let parts = arg.split(separator: ":")
        let dims = parts[0].split(separator: "x").compactMap { Int($0) }
        if dims.count == 3 {
            let ops = parts.count > 1 ? Array(parts[1]) : ["N", "N"]
            shapes.append(Shape("custom", dims[0], dims[1], dims[2], ops.first == "T", ops.last == "T"))
            filters.append("custom")
        } else {
            filters.append(arg)
        }
    }
}

func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var rng = RandomGenerator(seed: seed)
    return (0..<count).map { _ in Float(rng.normal()) }
}

/// Runs `body` until ≥ `minTime` seconds have passed; seconds per call.
func timePerCall(minTime: Double, _ body: () -> Void) -> Double {
    body()  // warm up (page faults, caches)
    var calls = 0
    let start = now()
    var elapsed = 0.0
    repeat {
        body(); calls += 1
        elapsed = now() - start
    } while elapsed < minTime
    return elapsed / Double(calls)
}

/// Wall-clock seconds, or with --cpu-time this thread's CPU seconds (immune to being
/// descheduled on a busy machine; only meaningful for the single-threaded kernel).
func now() -> Double {
    var ts = timespec()
    clock_gettime(cpuTime ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

print("kernel instruction set: \(SGEMMKernel.available?.rawValue ?? "none (BLAS only)"), cores: \(GEMMSelection.cores)"
      + ", micro-kernel self-check: " + SGEMMKernel.InstructionSet.allCases.map {
          "\($0.rawValue) \(fmt(SGEMMKernel.selfCheckSeconds($0) * 1e9)) ns" }.joined(separator: ", "))
/// A way to run a product: through MatMul.gemm with a forced backend (nil: its own choice),
/// or the kernel directly with a forced split (--splits).
enum Runner { case gemm(GEMMBackend?), split(SGEMMKernel.Split) }
let backends: [(String, Runner)] = onlyKernel1 ? [("kern×1", .gemm(.kernel(threads: 1)))]
    : [("BLAS", .gemm(.blas)), ("kern×1", .gemm(.kernel(threads: 1))), ("kern×2", .gemm(.kernel(threads: 2))),
       ("auto", .gemm(nil))]
      + (splits ? [("2 rows", .split(.rows)), ("2 cols", .split(.columns)), ("2 K", .split(.k))] : [])
func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
func fmt(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return x >= 100 ? String(Int(x.rounded())) : String(r)
}
print(pad("shape", 16) + pad("M×N×K op", 22) + backends.map { lpad($0.0, 8) }.joined()
      + lpad("k1/BLAS", 9) + lpad("k2/BLAS", 9) + "  auto picks")

for shape in shapes where filters.isEmpty || filters.contains(where: { shape.label.contains($0) }) {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2)
    var c = [Float](repeating: 0, count: m * n)
    let lda = shape.ta ? m : k, ldb = shape.tb ? k : n
    let flops = 2.0 * Double(m) * Double(n) * Double(k)
    var samples = Array(repeating: [Double](), count: backends.count)
    let minTime = quick ? 0.005 : 0.02
    for _ in 0..<reps {
        for (index, backend) in backends.enumerated() {
            let t = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        switch backend.1 {
                        case .gemm(let forced):
                            GEMMSelection.$forced.withValue(forced) {
                                timePerCall(minTime: minTime) {
                                    MatMul.gemm(transposeA: shape.ta, transposeB: shape.tb, m: m, n: n, k: k,
                                                a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                                beta: 0, c: pc.baseAddress!, ldc: n)
                                }
                            }
                        case .split(let split):
                            timePerCall(minTime: minTime) {
                                SGEMMKernel.sgemm(transposeA: shape.ta, transposeB: shape.tb, m: m, n: n, k: k,
                                                  a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                                  beta: 0, c: pc.baseAddress!, ldc: n, threads: 2, split: split)
                            }
                        }
                    }
                }
            }
            samples[index].append(flops / t / 1e9)
        }
    }
    let med = samples.map { best ? $0.max()! : median($0) }
    let pick = GEMMSelection.choose(transposeA: shape.ta, transposeB: shape.tb, m: m, n: n, k: k)
    let ratios = onlyKernel1 ? "" : lpad(format2(med[1] / med[0]), 9) + lpad(format2(med[2] / med[0]), 9)
    print(pad(shape.label, 16) + pad(shape.name, 22) + med.map { lpad(fmt($0), 8) }.joined() + ratios + "  \(pick)")
}

func format2(_ x: Double) -> String { String((x * 100).rounded() / 100) }
