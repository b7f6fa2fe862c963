#if canImport(Glibc)
import Glibc
#endif

/// Which SIMD kernel family this build may run, from three facts:
///
/// 1. What the module was compiled for. Swift has no `#if` for target features, so
///    Package.swift says it with a compilation condition next to `-target-cpu`
///    (see the comment on `SCRATCHNET_TARGET_CPU` there):
///    `SCRATCHNET_SIMD_NATIVE` (compiled for the building machine's CPU),
///    `SCRATCHNET_SIMD_AVX512` or `SCRATCHNET_SIMD_AVX2` (compiled for a named CPU),
///    or none (a baseline x86-64 build, where SIMD code turns into scalar library calls
///    and the kernels would be 100× slower than BLAS: they stay unused).
/// 2. What the CPU running it has (Linux: the `flags` line of `/proc/cpuinfo`), so a
///    binary that was built elsewhere never picks a kernel the CPU cannot run.
/// 3. A self-check that the code really is vectorised (a guard against a toolchain where
///    `-target-cpu native` resolves to the baseline CPU): one micro-kernel call of 24576
///    multiply-adds, best of 5, must take under 5 µs. Vectorised it takes 0.2–0.5 µs; as
///    scalar `fmaf` calls 50–70 µs, so the margin is 10× either way and a busy machine
///    does not change the answer. (A debug build fails it too: unoptimised SIMD code is
///    slower than BLAS, so debug builds use BLAS.)
enum CPUFeatures {
    static let kernelInstructionSet: SGEMMKernel.InstructionSet? = {
        #if arch(x86_64) && os(Linux)
        let flags = cpuFlags()
        let hasAVX512 = flags.contains("avx512f")
        let hasAVX2 = flags.contains("avx2") && flags.contains("fma")
        #if SCRATCHNET_SIMD_AVX512
        let compiled: SGEMMKernel.InstructionSet? = hasAVX512 ? .avx512 : nil
        #elseif SCRATCHNET_SIMD_AVX2
        let compiled: SGEMMKernel.InstructionSet? = hasAVX2 ? .avx2 : nil
        #elseif SCRATCHNET_SIMD_NATIVE
        let compiled: SGEMMKernel.InstructionSet? = hasAVX512 ? .avx512 : hasAVX2 ? .avx2 : nil
        #else
        let compiled: SGEMMKernel.InstructionSet? = nil
        #endif
        guard let compiled, microKernelSeconds(compiled) < 5e-6 else { return nil }
        return compiled
        #else
        return nil
        #endif
    }()

    /// Best of 5 timings of one micro-kernel call of 24576 multiply-adds (8×48×64 with
    /// AVX-512's tile, 6×16×256 with AVX2's).
    static func microKernelSeconds(_ instructionSet: SGEMMKernel.InstructionSet) -> Double {
        #if os(Linux)
        let family = KernelFamily(instructionSet, n: 48)
        let kc = 24576 / (family.mr * family.nr)
        let a = [Float](repeating: 0.5, count: family.mr * kc)
        let b = [Float](repeating: 0.25, count: kc * family.nr)
        var c = [Float](repeating: 0, count: family.mr * family.nr)
        var best = Double.infinity
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for _ in 0..<5 {
                        var start = timespec(), end = timespec()
                        clock_gettime(CLOCK_MONOTONIC, &start)
                        family.callKernel(vectors: family.maxVectors, columns: false, kc, pa.baseAddress!, kc,
                                          family.mr, pb.baseAddress!, pc.baseAddress!, family.nr, 0)
                        clock_gettime(CLOCK_MONOTONIC, &end)
                        best = min(best, Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9)
                    }
                }
            }
        }
        return best
        #else
        return 0
        #endif
    }

    /// The words of the first `flags` line of /proc/cpuinfo (empty if unreadable).
    static func cpuFlags() -> Set<String> {
        #if os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                let value = text.split(separator: ":", maxSplits: 1).last ?? ""
                return Set(value.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
            }
        }
        return []
        #else
        return []
        #endif
    }
}
