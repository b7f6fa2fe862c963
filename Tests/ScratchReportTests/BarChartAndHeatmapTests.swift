import XCTest
@testable import ScratchReport

final class BarChartAndHeatmapTests: XCTestCase {
    func testGroupedBars() {
        let chart = BarChart(title: "Final accuracy", yLabel: "accuracy", categories: ["SGD", "Momentum", "AdaGrad", "Adam"],
                             series: [.init(name: "train", values: [0.91, 0.96, 0.97, 0.98]),
                                      .init(name: "test", values: [0.90, 0.95, .nan, 0.97])],
                             yRange: .fixed(0...1), valueFormat: .fixed(decimals: 2))
        let svg = chart.svg()
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertEqual(xml.elements(named: "rect", class: "bar").count, 7, "the NaN bar is not drawn")
        XCTAssertEqual(xml.elements(named: "text", class: "missing").count, 1)
        for text in ["Final accuracy", "accuracy", "SGD", "Adam", "train", "test", "0.98"] {
            XCTAssertTrue(xml.hasText(text), text)
        }
    }

    func testLongCategoryNamesAreSlanted() {
        let names = (0..<8).map { "batch normalization variant \($0)" }
        let chart = BarChart(title: "t", categories: names, series: [.init(name: "acc", values: Array(repeating: 0.5, count: 8))])
        let svg = chart.svg(width: 500, height: 360)
        XCTAssertTrue(svg.contains("rotate(-35"))
        XCTAssertNotNil(XMLInspector.parse(svg))
    }

    func testConfusionHeatmapCellCounts() {
        let counts = [[50, 2, 0], [3, 40, 7], [0, 1, 60]]
        let chart = Heatmap(confusion: counts, labels: ["0", "1", "2"], title: "Confusion matrix")
        let svg = chart.svg(width: 480, height: 420)
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertEqual(xml.elements(named: "rect", class: "cell").count, 9)
        let values = xml.elements(named: "text", class: "cell-value")
        XCTAssertEqual(values.count, 9)
        XCTAssertTrue(xml.hasText("true label"))
        XCTAssertTrue(xml.hasText("predicted label"))
        // Cell texts in row-major order are the counts.
        let cellTexts = cellValueTexts(svg)
        XCTAssertEqual(cellTexts, ["50", "2", "0", "3", "40", "7", "0", "1", "60"])
        XCTAssertEqual(xml.elements(named: "path", class: "diagonal").count, 1)
    }

    func testHeatmapColoursGrowWithCount() {
        let chart = Heatmap(title: "h", values: [[0, 5, 10]], rowLabels: ["r"], columnLabels: ["a", "b", "c"], colorScale: .linear)
        guard let xml = XMLInspector.parse(chart.svg()) else { return }
        let fills = xml.elements(named: "rect", class: "cell").compactMap { $0.attributes["fill"] }
        XCTAssertEqual(fills.count, 3)
        XCTAssertEqual(fills[0], "#f7fbff")
        XCTAssertEqual(fills[2], "#08306b")
        XCTAssertNotEqual(fills[1], fills[0])
    }

    private func cellValueTexts(_ svg: String) -> [String] {
        var result: [String] = []
        var rest = svg[...]
        while let marker = rest.range(of: "class=\"cell-value\""), let open = rest.range(of: ">", range: marker.upperBound..<rest.endIndex),
              let close = rest.range(of: "</text>", range: open.upperBound..<rest.endIndex) {
            result.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return result
    }
}
