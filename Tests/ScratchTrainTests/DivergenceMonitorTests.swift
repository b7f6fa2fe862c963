import ScratchTrain
import XCTest

final class DivergenceMonitorTests: XCTestCase {
    func testNaNAndInfinityStopAtOnce() {
        var monitor = DivergenceMonitor(maximumLoss: 10, patience: 100)
        XCTAssertNil(monitor.check(loss: 2.3, iteration: 1))
        let nan = monitor.check(loss: .nan, iteration: 2)
        XCTAssertEqual(nan?.iteration, 2)
        XCTAssertTrue(nan?.reason.contains("became NaN") ?? false)
        var fresh = DivergenceMonitor(maximumLoss: 10, patience: 5)
        XCTAssertTrue(fresh.check(loss: .infinity, iteration: 7)?.reason.contains("infinite") ?? false)
    }

    func testASpikeIsNotDivergenceButAPlateauAboveTheLimitIs() {
        var spike = DivergenceMonitor(maximumLoss: 10, patience: 3)
        for (i, loss) in [2.3, 14, 15, 4, 14, 15, 3].enumerated() {
            XCTAssertNil(spike.check(loss: loss, iteration: i + 1), "iteration \(i + 1)")
        }
        var plateau = DivergenceMonitor(maximumLoss: 10, patience: 3)
        XCTAssertNil(plateau.check(loss: 2.3, iteration: 1))
        XCTAssertNil(plateau.check(loss: 14, iteration: 2))
        XCTAssertNil(plateau.check(loss: 14.5, iteration: 3))
        let result = plateau.check(loss: 14.2, iteration: 4)
        XCTAssertEqual(result?.iteration, 2, "named from where the loss first rose")
        XCTAssertTrue(result?.reason.contains("stayed there for 3 iterations") ?? false, result?.reason ?? "")
    }
}
