import Foundation
import XCTest
@testable import ScratchReport

final class AxisTicksTests: XCTestCase {
    func testFixedUnitRangeGivesTenthsOrFifths() {
        let ticks = AxisTicks.linear(covering: 0...1, targetCount: 6, expand: false)
        XCTAssertEqual(ticks.values, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(ticks.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(ticks.range, 0...1)
    }

    func testIterationAxisUsesRoundNumbers() {
        let ticks = AxisTicks.linear(covering: 0...10_000, targetCount: 6)
        XCTAssertEqual(ticks.values, [0, 2000, 4000, 6000, 8000, 10_000])
        XCTAssertEqual(ticks.labels, ["0", "2000", "4000", "6000", "8000", "10000"])
        let fine = AxisTicks.linear(covering: 0...2000, targetCount: 5)
        XCTAssertEqual(fine.labels, ["0", "500", "1000", "1500", "2000"])
    }

    func testAutomaticRangeExpandsToTicks() {
        let ticks = AxisTicks.linear(covering: 0.13...2.31, targetCount: 6)
        XCTAssertEqual(ticks.range.lowerBound, 0, accuracy: 1e-12)
        XCTAssertEqual(ticks.range.upperBound, 2.5, accuracy: 1e-12)
        XCTAssertEqual(ticks.labels.first, "0.0")
        XCTAssertEqual(ticks.labels.last, "2.5")
    }

    func testDegenerateRangeStillGivesTicks() {
        let ticks = AxisTicks.linear(covering: 5...5)
        XCTAssertGreaterThanOrEqual(ticks.values.count, 2)
        XCTAssertTrue(ticks.range.contains(5))
    }

    func testLogTicksArePowersOfTen() {
        let ticks = AxisTicks.logarithmic(covering: 3e-9...0.5, targetCount: 6)
        XCTAssertFalse(ticks.values.isEmpty)
        for v in ticks.values {
            let e = log10(v)
            XCTAssertEqual(e, e.rounded(), accuracy: 1e-9, "\(v) is a power of ten")
        }
        XCTAssertEqual(ticks.labels, ["1e-8", "1e-6", "1e-4", "1e-2", "1e0"])
        XCTAssertLessThanOrEqual(ticks.range.lowerBound, 3e-9)
        XCTAssertGreaterThanOrEqual(ticks.range.upperBound, 0.5)
    }

    func testLogTicksWithinFewDecadesArePlainNumbers() {
        let ticks = AxisTicks.logarithmic(covering: 0.002...30, targetCount: 8)
        XCTAssertEqual(ticks.values, [0.001, 0.01, 0.1, 1, 10, 100])
        XCTAssertEqual(ticks.labels, ["0.001", "0.01", "0.1", "1", "10", "100"])
    }
}
