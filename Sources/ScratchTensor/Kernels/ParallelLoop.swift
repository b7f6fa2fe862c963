import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loop's body for ``ParallelLoop``: the value holds what the iterations share (pointers,
/// sizes), `run(iteration:)` does one.
public protocol ParallelJob {
    /// Runs iteration `iteration` (iterations may run in any order, two at a time).
    func run(iteration: Int)
}

/// The loops ScratchNet shares out between two cores (products, convolutions, pooling, sparse
/// conversion): the calling thread and one helper thread, kept for the process, take the
/// iterations in turn. A ``ParallelJob`` is handed over as a pointer and a function that runs
/// an iteration of a job of its type (a closure that captures nothing, made where the job's
/// type is known, so the job runs specialised code), so a loop allocates nothing (`DispatchQueue.concurrentPerform` allocates a block and its context at
/// every call; a Swift closure handed to another thread through `withoutActuallyEscaping` is
/// one allocation: ``run(_:_:)-closure`` is for loops outside training steps).
///
/// The helper runs one loop at a time: a loop started while it is busy (another thread's, or
/// one nested in an iteration) runs on its calling thread alone, and inside an iteration
/// ``isInside`` is true, so the products there ask for one thread (``GEMMSelection``).
public enum ParallelLoop {
    /// Runs `job` for every iteration in `0..<iterations`, on the calling thread and the helper,
    /// and returns when all have run.
    public static func run<Job: ParallelJob>(_ iterations: Int, _ job: Job) {
        guard iterations > 1, let helper = Helper.shared, helper.acquire() else {
            for i in 0..<max(iterations, 0) { job.run(iteration: i) }
            return
        }
        withUnsafePointer(to: job) { job in
            helper.run(iterations, UnsafeRawPointer(job)) { job, i in
                job.assumingMemoryBound(to: Job.self).pointee.run(iteration: i)
            }
        }
    }

    /// Runs `body(i)` for every i in `0..<iterations` likewise (one allocation per call).
    public static func run(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { run(iterations, ClosureJob(body: $0)) }
    }

    private struct ClosureJob: ParallelJob {
        let body: (Int) -> Void
        func run(iteration: Int) { body(iteration) }
    }

    /// Whether the calling thread is running an iteration of a parallel loop (the helper always is).
    public static var isInside: Bool { pthread_getspecific(insideKey) != nil }

    /// The thread-specific flag behind ``isInside`` (set without allocating, unlike a task-local).
    nonisolated(unsafe) private static let insideKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left for ParallelLoop")
        return key
    }()

    private static func setInside(_ inside: Bool) {
        pthread_setspecific(insideKey, inside ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    /// The helper thread and the loop it shares.
    private final class Helper: @unchecked Sendable {
        /// One helper where there are two or more cores; none on one core.
        static let shared: Helper? = GEMMSelection.cores >= 2 ? Helper() : nil

        private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let start = DispatchSemaphore(value: 0)
        private let finished = DispatchSemaphore(value: 0)
        /// Guarded by `lock`: whether a loop holds the helper, and the next iteration to run.
        private var busy = false
        private var next = 0
        /// The loop: set before `start` is signalled, read until `finished` is.
        private var iterations = 0
        private var job: UnsafeRawPointer?
        private var invoke: ((UnsafeRawPointer, Int) -> Void)?

        private init() {
            pthread_mutex_init(lock, nil)
            // A thread of its own for the process's lifetime (the helper is never released).
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let started = pthread_create(&thread, nil, { context in
                #if canImport(Darwin)
                Unmanaged<Helper>.fromOpaque(context).takeUnretainedValue().loop()
                #else
                Unmanaged<Helper>.fromOpaque(context!).takeUnretainedValue().loop()
                #endif
            }, context)
            precondition(started == 0, "could not start ParallelLoop's helper thread")
            pthread_detach(thread)
        }

        /// The helper thread: one loop's iterations per signal.
        private func loop() -> Never {
            ParallelLoop.setInside(true)
            while true {
                start.wait()
                work()
                finished.signal()
            }
        }

        /// Takes the helper for one loop, unless another loop has it.
        func acquire() -> Bool {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            guard !busy else { return false }
            busy = true
            return true
        }

        /// Runs the loop with the helper (taken by ``acquire()``), then gives it back.
        func run(_ count: Int, _ job: UnsafeRawPointer, _ invoke: @escaping (UnsafeRawPointer, Int) -> Void) {
            (iterations, self.job, self.invoke, next) = (count, job, invoke, 0)
            start.signal()
            ParallelLoop.setInside(true)
            work()
            ParallelLoop.setInside(false)
            finished.wait()
            (self.job, self.invoke) = (nil, nil)
            pthread_mutex_lock(lock)
            busy = false
            pthread_mutex_unlock(lock)
        }

        /// Runs iterations until none is left.
        private func work() {
            while true {
                pthread_mutex_lock(lock)
                let i = next
                next += 1
                pthread_mutex_unlock(lock)
                guard i < iterations else { return }
                invoke!(job!, i)
            }
        }
    }
}
