import Foundation
import XCTest
@testable import ScratchReport

final class LineChartTests: XCTestCase {
    private func accuracyChart() -> LineChart {
        let iterations = stride(from: 0.0, through: 2000, by: 100).map { $0 }
        let train = iterations.map { 1 - 0.9 * exp(-$0 / 400) }
        let test = iterations.map { 0.97 - 0.87 * exp(-$0 / 450) }
        return LineChart(title: "SGD — accuracy", xLabel: "iterations", yLabel: "accuracy",
                         series: [DataSeries(name: "train", x: iterations, y: train, marker: .circle),
                                  DataSeries(name: "test", x: iterations, y: test, dash: .dashed, marker: .square)],
                         yRange: .fixed(0...1))
    }

    func testIsWellFormedAndHasTitleLabelsAndLegend() {
        let svg = accuracyChart().svg(width: 640, height: 400)
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertEqual(xml.elements.first?.name, "svg")
        XCTAssertEqual(xml.elements.first?.attributes["xmlns"], "http://www.w3.org/2000/svg")
        XCTAssertTrue(xml.hasText("SGD — accuracy"))
        XCTAssertTrue(xml.hasText("iterations"))
        XCTAssertTrue(xml.hasText("accuracy"))
        XCTAssertTrue(xml.hasText("train"))
        XCTAssertTrue(xml.hasText("test"))
        XCTAssertEqual(xml.elements(named: "path", class: "series").count, 2)
        XCTAssertEqual(xml.elements(named: "g", class: "legend").count, 1)
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertFalse(svg.contains(" id=\""), "no ids, so several charts can share a page")
    }

    func testFixedUnitRangeTickLabels() {
        let svg = accuracyChart().svg(width: 640, height: 400)
        guard let xml = XMLInspector.parse(svg) else { return }
        for label in ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "0", "1000", "2000"] {
            XCTAssertTrue(xml.hasText(label), "tick label \(label)")
        }
    }

    func testOnePathPerSeriesAndDashStyles() {
        let series = (0..<5).map { i in
            DataSeries(name: "variant \(i)", y: (0..<50).map { Double($0 + i) / 60 }, dash: LineDash.allCases[i % 4])
        }
        let svg = LineChart(title: "All variants", series: series, yRange: .fixed(0...1)).svg()
        guard let xml = XMLInspector.parse(svg) else { return }
        let paths = xml.elements(named: "path", class: "series")
        XCTAssertEqual(paths.count, 5)
        XCTAssertEqual(Set(paths.compactMap { $0.attributes["stroke"] }).count, 5, "each series its own colour")
        XCTAssertNil(paths[0].attributes["stroke-dasharray"])
        XCTAssertNotNil(paths[1].attributes["stroke-dasharray"])
    }

    func testNaNAndInfinitePointsAreSkipped() {
        let y: [Double] = [0.1, 0.3, .nan, 0.5, .infinity, 0.7, 0.8, .nan, .nan]
        let chart = LineChart(title: "Diverged", series: [DataSeries(name: "lr=10", y: y)], yRange: .fixed(0...1))
        let svg = chart.svg(width: 500, height: 300)
        guard let xml = XMLInspector.parse(svg) else { return }
        for element in xml.elements {
            for (key, value) in element.attributes where key != "aria-label" {
                XCTAssertFalse(value.lowercased().contains("nan") || value.contains("inf"), "no NaN/∞ in \(element.name) \(key)=\(value)")
            }
        }
        let d = xml.elements(named: "path", class: "series").first?.attributes["d"] ?? ""
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2, "the line breaks at the gaps: [0.1,0.3] and [0.7,0.8]")
        XCTAssertEqual(xml.elements(named: "circle").count, 1, "the isolated 0.5 is drawn as a dot")
        XCTAssertTrue(xml.texts.contains { $0.contains("4 non-finite points") })
    }

    func testAllNaNSeriesRendersAnEmptyPlotWithANote() {
        let chart = LineChart(title: "Exploded", series: [DataSeries(name: "a", y: [.nan, .nan])])
        guard let xml = XMLInspector.parse(chart.svg()) else { return }
        XCTAssertEqual(xml.elements(named: "text", class: "empty-note").count, 1)
    }

    func testEmptySeriesRendersEmptyPlotWithNote() {
        let chart = LineChart(title: "Nothing yet", xLabel: "epoch", yLabel: "loss", series: [])
        guard let xml = XMLInspector.parse(chart.svg()) else { return }
        XCTAssertTrue(xml.hasText("No data"))
        XCTAssertTrue(xml.hasText("Nothing yet"))
        XCTAssertEqual(xml.elements(named: "path", class: "series").count, 0)
    }

    func testLogScaleUsesPowersOfTenAndSkipsNonPositive() {
        let norms: [Double] = [1e-9, 1e-7, 1e-5, 0, -1, 1e-3, 0.1, 3]
        let chart = LineChart(title: "Gradient norm per layer", xLabel: "layer", yLabel: "‖∇W‖",
                              series: [DataSeries(name: "sigmoid", y: norms)], yScale: .logarithmic)
        let svg = chart.svg(width: 640, height: 400)
        guard let xml = XMLInspector.parse(svg) else { return }
        let yLabels = yTickLabels(in: svg)
        XCTAssertFalse(yLabels.isEmpty)
        for label in yLabels {
            XCTAssertTrue(label.hasPrefix("1e") || ["0.001", "0.01", "0.1", "1", "10", "100", "1000"].contains(label),
                          "log tick \(label) is a power of ten")
            if label.hasPrefix("1e") { XCTAssertNotNil(Int(label.dropFirst(2)), label) }
        }
        XCTAssertTrue(xml.texts.contains { $0.contains("2 non-positive values") })
        let d = xml.elements(named: "path", class: "series").first?.attributes["d"] ?? ""
        XCTAssertEqual(d.filter { $0 == "M" }.count, 2)
    }

    func testLogXAxisForRegularizationStrength() {
        let lambdas = [1e-4, 1e-3, 1e-2, 1e-1, 1]
        let chart = LineChart(title: "Weight decay", xLabel: "λ", yLabel: "test accuracy",
                              series: [DataSeries(name: "test", x: lambdas, y: [0.9, 0.91, 0.92, 0.88, 0.5], marker: .diamond)],
                              yRange: .fixed(0...1), xScale: .logarithmic)
        guard let xml = XMLInspector.parse(chart.svg()) else { return }
        XCTAssertTrue(xml.hasText("0.0001") || xml.hasText("1e-4"))
        XCTAssertEqual(xml.elements(named: "polygon").count, 5 + 1, "five diamonds plus the legend's")
    }

    func testValuesOutsideAFixedRangeAreClipped() {
        let chart = LineChart(title: "Loss", series: [DataSeries(name: "loss", y: [5, 0.5, -3, 0.2])], yRange: .fixed(0...1))
        let svg = chart.svg(width: 400, height: 300)
        guard let xml = XMLInspector.parse(svg) else { return }
        let d = xml.elements(named: "path", class: "series").first?.attributes["d"] ?? ""
        let numbers = d.split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
        let ys = stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] }
        XCTAssertFalse(ys.isEmpty)
        XCTAssertTrue(ys.allSatisfy { $0 >= 0 && $0 <= 300 }, "clipped into the canvas: \(ys)")
    }

    func testReferenceLineAndEscapedTitle() {
        var chart = accuracyChart()
        chart.title = #"Accuracy <train & "test">"#
        chart.referenceLines = [.horizontal(at: 0.1, label: "chance")]
        let svg = chart.svg()
        XCTAssertTrue(svg.contains("&lt;train &amp; &quot;test&quot;&gt;"))
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertTrue(xml.hasText(#"Accuracy <train & "test">"#))
        XCTAssertTrue(xml.hasText("chance"))
        XCTAssertEqual(xml.elements(named: "line", class: "reference").count, 1)
    }

    func testManySeriesPutTheLegendBelow() {
        let series = (0..<8).map { i in DataSeries(name: "a rather long variant name \(i)", y: (0..<20).map { Double(($0 + 3 * i) % 20) / 19 }) }
        let svg = LineChart(title: "Comparison", series: series, yRange: .fixed(0...1)).svg(width: 640, height: 420)
        guard let xml = XMLInspector.parse(svg) else { return }
        XCTAssertEqual(xml.elements(named: "g", class: "legend").count, 1)
        XCTAssertEqual(xml.elements(named: "path", class: "series").count, 8)
        // No framed legend box: the legend is a flow of items under the plot.
        XCTAssertNil(xml.elements.first { $0.name == "rect" && $0.attributes["fill-opacity"] == "0.92" })
    }

    func testLongSeriesAreDecimated() {
        let y = (0..<100_000).map { sin(Double($0) / 500) }
        let svg = LineChart(title: "Long", series: [DataSeries(name: "s", y: y)]).svg(width: 640, height: 400)
        XCTAssertLessThan(svg.utf8.count, 60_000)
        XCTAssertNotNil(XMLInspector.parse(svg))
    }

    func testRenderingIsDeterministic() {
        XCTAssertEqual(accuracyChart().svg(), accuracyChart().svg())
    }

    private func yTickLabels(in svg: String) -> [String] {
        guard let start = svg.range(of: "<g class=\"y-ticks\""), let end = svg.range(of: "</g>", range: start.upperBound..<svg.endIndex) else { return [] }
        let group = svg[start.upperBound..<end.lowerBound]
        var labels: [String] = []
        var rest = group[...]
        while let tag = rest.range(of: "<text"), let open = rest.range(of: ">", range: tag.upperBound..<rest.endIndex),
              let close = rest.range(of: "</text>", range: open.upperBound..<rest.endIndex) {
            labels.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return labels
    }
}

final class ExtremeValueTests: XCTestCase {
    func testExtremeValuesNeverCrashAndStayWellFormed() {
        let wild: [Double] = [1e308, -1e308, Double.leastNonzeroMagnitude, .nan, .infinity, 0, 1, -.infinity, .greatestFiniteMagnitude]
        let series = [DataSeries(name: "wild", y: wild), DataSeries(name: "x wild", x: wild, y: wild)]
        for yRange in [AxisRange.automatic, .fixed(0...1)] {
            for scale in [AxisScale.linear, .logarithmic] {
                let chart = LineChart(title: "wild", series: series, yRange: yRange, yScale: scale)
                XCTAssertNotNil(XMLInspector.parse(chart.svg()))
                XCTAssertEqual(TerminalChart(chart, width: 30, height: 8).lines().count, 8)
            }
        }
        XCTAssertEqual(TerminalChart(series: series, width: 30, height: 8, style: .markers).lines().count, 8)
        XCTAssertEqual(TerminalChart(series: series, width: 30, height: 8, yRange: .automatic).lines().count, 8)
        XCTAssertEqual(HistogramBins(values: wild, binCount: 7).total, 6, "the six finite values")
        XCTAssertTrue(HistogramBins(values: wild, binCount: 7).edges.allSatisfy(\.isFinite))
        XCTAssertEqual(HistogramBins(values: [Double.leastNonzeroMagnitude, 2 * Double.leastNonzeroMagnitude], binCount: 1000).total, 2)
        XCTAssertEqual(Sparkline.render(wild).count, wild.count)
        XCTAssertNotNil(XMLInspector.parse(Histogram(title: "h", series: [.init(name: "w", values: wild, binCount: 5)]).svg()))
        XCTAssertNotNil(XMLInspector.parse(BarChart(title: "b", categories: ["a", "b"], series: [.init(name: "s", values: [1e308, -1e308])]).svg()))
        XCTAssertNotNil(XMLInspector.parse(Heatmap(title: "m", values: [[1e308, .nan], [0, -1]], rowLabels: ["a", "b"], columnLabels: ["c", "d"]).svg()))
    }
}
