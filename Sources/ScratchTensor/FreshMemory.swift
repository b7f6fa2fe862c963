#if canImport(Glibc)
import Glibc
#endif

/// Big buffers about to be written once, start to end.
enum FreshMemory {
    /// Asks Linux to map the pages of `bytes` at `pointer` now, all in one call
    /// (`madvise(MADV_POPULATE_WRITE)`, Linux 5.14+), instead of one page fault per 4 KB page
    /// as the writes reach them: the 72 MB of MNIST's training set stored by its nonzeros are
    /// 18,000 faults. A hint only: nothing changes where the kernel declines it, or off Linux.
    static func prefault(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let page = 4096
        let start = (Int(bitPattern: pointer) + page - 1) / page * page
        let end = (Int(bitPattern: pointer) + bytes) / page * page
        guard end - start >= 64 * page, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, 23 /* MADV_POPULATE_WRITE */)
        #endif
    }
}
