import XCTest
@testable import ScratchReport

final class TerminalTests: XCTestCase {
    private let header = ["optimizer", "train acc", "test acc"]
    private let rows = [["SGD", "0.912", "0.905"], ["Momentum", "0.97", "0.961"], ["AdaGrad", "NaN", "NaN"]]

    func testUnicodeTableAlignsColumns() {
        let text = TerminalTable(header: header, rows: rows).render()
        XCTAssertEqual(text, """
        ┌───────────┬───────────┬──────────┐
        │ optimizer │ train acc │ test acc │
        ├───────────┼───────────┼──────────┤
        │ SGD       │     0.912 │    0.905 │
        │ Momentum  │      0.97 │    0.961 │
        │ AdaGrad   │       NaN │      NaN │
        └───────────┴───────────┴──────────┘
        """)
    }

    func testPlainAndMarkdownStyles() {
        let plain = TerminalTable(header: header, rows: rows, style: .plain).lines()
        XCTAssertEqual(plain[0], "optimizer  train acc  test acc")
        XCTAssertEqual(plain[1], String(repeating: "─", count: 30))
        XCTAssertEqual(plain[2], "SGD            0.912     0.905")
        let markdown = TerminalTable(header: header, rows: rows, style: .markdown).lines()
        XCTAssertEqual(markdown[1], "| --------- | --------: | -------: |")
        let ascii = TerminalTable(header: header, rows: rows, style: .ascii).lines()
        XCTAssertTrue(ascii[0].hasPrefix("+-----------+"))
    }

    func testWideCharactersAndTruncation() {
        let table = TerminalTable(header: ["手法", "acc"], rows: [["確率的勾配降下法", "0.9"], ["a very long optimizer name", "1"]],
                                  maxColumnWidth: 10)
        let lines = table.lines()
        let widths = Set(lines.map(TextMetrics.displayWidth))
        XCTAssertEqual(widths.count, 1, "every line has the same display width:\n\(lines.joined(separator: "\n"))")
        XCTAssertTrue(lines.contains { $0.contains("a very lo…") })
    }

    func testColouredRowsKeepAlignment() {
        var table = DataTable(header: header)
        table.addRow(rows[0])
        table.addRow(rows[2], emphasis: .bad)
        let lines = TerminalTable(table, colorEnabled: true).lines()
        XCTAssertTrue(lines[4].contains("\u{1B}[31m"))
        XCTAssertEqual(Set(lines.map(TextMetrics.displayWidth)).count, 1)
        XCTAssertFalse(TerminalTable(table).render().contains("\u{1B}"), "plain when colour is off")
    }

    func testTerminalChartHasRequestedSize() {
        let train = DataSeries(name: "train", y: (0..<100).map { 1 - exp(-Double($0) / 20) })
        let test = DataSeries(name: "test", y: (0..<100).map { 0.95 - 0.95 * exp(-Double($0) / 25) })
        for style in [TerminalChart.Style.braille, .markers] {
            let chart = TerminalChart(title: "accuracy", series: [train, test], width: 50, height: 14, style: style)
            let lines = chart.lines()
            XCTAssertEqual(lines.count, 14, "\(style)")
            for line in lines { XCTAssertEqual(TextMetrics.displayWidth(line), 50, "\(style): '\(line)'") }
            let text = chart.render()
            XCTAssertTrue(text.contains("1.0"))
            XCTAssertTrue(text.contains("0.0"))
            XCTAssertTrue(text.contains("train"))
            XCTAssertTrue(text.contains("test"))
        }
    }

    func testMarkerChartDistinguishesSeriesWithoutColour() {
        let chart = TerminalChart(series: [DataSeries(name: "a", y: [0, 0, 0]), DataSeries(name: "b", y: [1, 1, 1])],
                                  width: 30, height: 8)
        let text = chart.render()
        XCTAssertFalse(text.contains("\u{1B}"))
        XCTAssertTrue(text.contains("* a"))
        XCTAssertTrue(text.contains("o b"))
        let plotLines = chart.lines().prefix(5)
        XCTAssertTrue(plotLines.first?.contains("o") ?? false, "series b at the top")
    }

    func testBrailleChartWithColour() {
        let chart = TerminalChart(series: [DataSeries(name: "a", y: [0, 0.5, 1]), DataSeries(name: "b", y: [1, 0.5, .nan])],
                                  width: 40, height: 10, colorEnabled: true)
        let lines = chart.lines()
        XCTAssertEqual(lines.count, 10)
        XCTAssertTrue(lines.allSatisfy { TextMetrics.displayWidth($0) == 40 })
        XCTAssertTrue(chart.render().contains("\u{1B}[34m"))
        XCTAssertTrue(chart.render().unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
    }

    func testTerminalChartFromLineChart() {
        let chart = LineChart(title: "norms", series: [DataSeries(name: "g", y: [1e-6, 1e-3, 1])], yScale: .logarithmic)
        let lines = TerminalChart(chart, width: 40, height: 10).lines()
        XCTAssertEqual(lines.count, 10)
        XCTAssertTrue(lines[0].hasPrefix("norms (log10)"))
    }

    func testSparkline() {
        XCTAssertEqual(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█")
        XCTAssertEqual(Sparkline.render([1, .nan, 3]), "▁ █")
        XCTAssertEqual(Sparkline.render([2, 2, 2]), "▄▄▄")
        XCTAssertEqual(Sparkline.render([0.5, 2], range: 0...1), "▅█")
        XCTAssertEqual(Sparkline.render((0..<80).map(Double.init), maxWidth: 8), "▁▂▃▄▅▆▇█")
        XCTAssertEqual(Sparkline.render([]), "")
    }
}
