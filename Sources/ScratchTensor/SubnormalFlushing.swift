#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Subnormal floats (|x| < 1.18e-38 in float32) as zeros, for speed.
///
/// A saturated sigmoid network (RMSProp at lr 0.1 in hands-on 2_4) backpropagates gradients
/// like 1e-40. Arithmetic on such subnormal numbers takes a slow microcode path on x86: that
/// run's weight-gradient product took 1.2 ms a step instead of 0.05 ms, its 1000 iterations
/// 2.0 s instead of 0.2 s. With flushing on, subnormal inputs read as 0 and subnormal results
/// become 0 (the SSE/AVX control bits DAZ and FTZ). Only numbers below 1.18e-38 change.
///
/// The setting belongs to the calling thread and is inherited by threads it starts later, so
/// the `scratchnet` command turns it on first thing, before any worker thread exists. Library
/// users decide for themselves; NumPy and PyTorch keep subnormals by default.
public enum SubnormalFlushing {
    /// Turns flushing on (or off) for the calling thread. Returns whether it was on before.
    /// Does nothing (and returns false) where the CPU has no such control (non-x86).
    @discardableResult
    public static func set(_ on: Bool) -> Bool {
        #if arch(x86_64) && canImport(Glibc)
        var environment = fenv_t()
        fegetenv(&environment)
        let bits: UInt32 = 0x8040   // FTZ (bit 15) and DAZ (bit 6) of MXCSR
        let wasOn = environment.__mxcsr & bits == bits
        environment.__mxcsr = on ? environment.__mxcsr | bits : environment.__mxcsr & ~bits
        fesetenv(&environment)
        return wasOn
        #else
        return false
        #endif
    }
}
