import XCTest
@testable import ScratchReport

final class HistogramTests: XCTestCase {
    func testBinsFromKnownValues() {
        let bins = HistogramBins(values: [0, 0.1, 0.25, 0.5, 0.5, 0.74, 0.75, 1.0, .nan, .infinity], binCount: 4)
        XCTAssertEqual(bins.edges, [0, 0.25, 0.5, 0.75, 1.0])
        // [0, .25): 0, 0.1 | [.25, .5): .25 | [.5, .75): .5, .5, .74 | [.75, 1]: .75, 1.0 (last bin closed)
        XCTAssertEqual(bins.counts, [2, 1, 3, 2])
        XCTAssertEqual(bins.total, 8)
    }

    func testExplicitRangeDropsOutsideValues() {
        let bins = HistogramBins(values: [-1, 0, 0.5, 0.99, 1, 2], binCount: 2, range: 0...1)
        XCTAssertEqual(bins.counts, [1, 3])
    }

    func testConstantValuesGetAUnitRange() {
        let bins = HistogramBins(values: [3, 3, 3], binCount: 5)
        XCTAssertEqual(bins.edges.first, 2.5)
        XCTAssertEqual(bins.edges.last, 3.5)
        XCTAssertEqual(bins.total, 3)
    }

    func testNormalizedSumsToOne() {
        let bins = HistogramBins(values: [1, 2, 2, 3], binCount: 3).normalized()
        XCTAssertEqual(bins.total, 1, accuracy: 1e-12)
    }

    func testInvalidEdgesThrow() {
        XCTAssertThrowsError(try HistogramBins(edges: [0, 1], counts: [1, 2]))
        XCTAssertThrowsError(try HistogramBins(edges: [0, 1, 1], counts: [1, 2]))
        XCTAssertNoThrow(try HistogramBins(edges: [0, 1, 2], counts: [1, 2]))
    }

    func testOverlaidChartIsWellFormed() throws {
        let start = Histogram.Series(name: "start", values: (0..<200).map { (Double($0 % 20) + 0.5) / 20 }, binCount: 20, range: 0...1)
        let end = Histogram.Series(name: "end", bins: try HistogramBins(edges: [0, 0.5, 1], counts: [30, 170]))
        let chart = Histogram(title: "Activations", xLabel: "activation", series: [start, end])
        guard let xml = XMLInspector.parse(chart.svg()) else { return }
        XCTAssertTrue(xml.hasText("Activations"))
        XCTAssertTrue(xml.hasText("activation"))
        XCTAssertTrue(xml.hasText("start"))
        XCTAssertTrue(xml.hasText("end"))
        XCTAssertEqual(xml.elements(named: "g", class: "histogram-series").count, 2)
        XCTAssertEqual(xml.elements(named: "rect", class: "bin").count, 20 + 2)
    }

    func testPanelsLayoutHasOnePanelTitlePerSeries() {
        let series = (1...5).map { Histogram.Series(name: "layer \($0)", values: [0.1, 0.2, 0.9], binCount: 10, range: 0...1) }
        let chart = Histogram(title: "Per layer", series: series, layout: .panels)
        guard let xml = XMLInspector.parse(chart.svg(width: 900, height: 300)) else { return }
        XCTAssertEqual(xml.elements(named: "text", class: "panel-title").count, 5)
        XCTAssertEqual(xml.elements(named: "g", class: "y-ticks").count, 1, "only the first panel has y labels")
    }
}
