import Foundation
import ScratchTensor
import XCTest

final class SubnormalFlushingTests: XCTestCase {
    /// A quarter of the smallest normal float, computed at run time by the tensor code.
    private static func quarterOfSmallestNormal() -> Float {
        (Tensor<Float>([Float.leastNormalMagnitude]) * 0.25).scalars[0]
    }

    private final class Result: @unchecked Sendable { var value: Float = -1 }

    func testFlushingTurnsSubnormalResultsIntoZeroForThisThreadAndThreadsItStarts() throws {
        #if arch(x86_64) && canImport(Glibc)
        let wasOn = SubnormalFlushing.set(false)
        defer { SubnormalFlushing.set(wasOn) }
        XCTAssertEqual(Self.quarterOfSmallestNormal(), Float.leastNormalMagnitude / 4)
        XCTAssertGreaterThan(Self.quarterOfSmallestNormal(), 0)

        XCTAssertFalse(SubnormalFlushing.set(true))
        XCTAssertEqual(Self.quarterOfSmallestNormal(), 0)
        XCTAssertEqual((Tensor<Float>([1e-20]) * Tensor<Float>([1e-20])).scalars, [0])
        XCTAssertEqual((Tensor<Float>([1e-20]) * 1e10).scalars, [Float(1e-20) * Float(1e10)], "normal numbers are unchanged")

        // A thread started now inherits the setting.
        let done = DispatchSemaphore(value: 0)
        let seen = Result()
        let thread = Thread { seen.value = SubnormalFlushingTests.quarterOfSmallestNormal(); done.signal() }
        thread.start()
        done.wait()
        XCTAssertEqual(seen.value, 0)

        XCTAssertTrue(SubnormalFlushing.set(false))
        XCTAssertGreaterThan(Self.quarterOfSmallestNormal(), 0)
        #else
        throw XCTSkip("subnormal flushing is an x86-64 Linux control")
        #endif
    }
}
