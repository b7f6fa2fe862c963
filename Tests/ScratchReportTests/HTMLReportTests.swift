import Foundation
import XCTest
@testable import ScratchReport

final class HTMLReportTests: XCTestCase {
    private func sampleReport() -> HTMLReport {
        var report = HTMLReport(title: "Optimizers <compared> & more", subtitle: "MNIST · 2000 iterations · seed 42")
        var settings = HTMLReport.Section("Settings")
        settings.add(.settings([(key: "network", value: "5 × 100 ReLU"), (key: "batch size", value: "128")]))
        settings.add(.paragraph("Each optimizer trains the same network from the same weights.\nLine two & <three>."))
        report.add(settings)

        var results = HTMLReport.Section("Results")
        var table = DataTable(header: ["optimizer", "train acc", "test acc", "note"], caption: "After 2000 iterations")
        table.addRow(["SGD", "0.912", "0.905", "slow"])
        table.addRow([DataTable.Cell("Adam"), .number(0.981, format: .fixed(decimals: 3), emphasis: .good), "0.972", ""])
        table.addRow(["AdaGrad lr=10", "NaN", "NaN", "diverged"], emphasis: .bad)
        results.add(.table(table))
        let chart = LineChart(title: "SGD", xLabel: "iterations", yLabel: "accuracy",
                              series: [DataSeries(name: "train", y: [0.1, 0.5, 0.9])], yRange: .fixed(0...1))
        results.add(.figures([HTMLReport.Figure(chart, caption: "SGD <train>"), HTMLReport.Figure(chart, caption: "again")]))
        results.add(.figure(HTMLReport.Figure(chart, caption: "wide", span: .wide)))
        results.add(.bullets(["Adam learns fastest.", "AdaGrad with lr=10 diverges — 'NaN'."]))
        results.add(.note("Accuracy is measured on 1000 test images.", title: "Note"))
        results.add(.note("Runs are short.", kind: .warning))
        results.add(.preformatted("scratchnet lab optimizers --seed 42 > out.txt"))
        report.add(results)
        return report
    }

    func testReportIsWellFormedXML() {
        let html = sampleReport().render()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        guard let xml = XMLInspector.parse(html) else { return }
        XCTAssertEqual(xml.elements.first?.name, "html")
        XCTAssertEqual(xml.elements(named: "svg").count, 3)
        XCTAssertEqual(xml.elements(named: "figure").count, 3)
        XCTAssertEqual(xml.elements(named: "figure", class: "wide").count, 1)
        XCTAssertEqual(xml.elements(named: "section").count, 2)
        XCTAssertEqual(xml.elements(named: "li").count, 2)
        XCTAssertEqual(xml.elements(named: "aside").count, 2)
        XCTAssertTrue(xml.hasText("Optimizers <compared> & more"))
        XCTAssertTrue(xml.hasText("SGD <train>"))
        XCTAssertTrue(xml.hasText("AdaGrad with lr=10 diverges — 'NaN'."))
    }

    func testReportIsSelfContained() {
        let html = sampleReport().render()
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") && html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertFalse(html.contains("@import"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertTrue(html.contains("max-width: 1100px"))
    }

    func testTableAlignmentAndHighlights() {
        let html = sampleReport().render()
        guard let xml = XMLInspector.parse(html) else { return }
        let headers = xml.elements(named: "th")
        XCTAssertEqual(headers.map { $0.attributes["class"] }, [nil, "num", "num", nil])
        XCTAssertEqual(xml.elements(named: "tr", class: "bad").count, 1)
        XCTAssertEqual(xml.elements(named: "td", class: "good").count, 1)
        XCTAssertEqual(xml.elements(named: "td", class: "num").count, 6)
    }

    func testSectionIDsAreUniqueSlugs() {
        XCTAssertEqual(HTMLReport.sectionIDs(["Weight decay (λ)", "Results", "Results", "学習"]),
                       ["weight-decay", "results", "results-2", "section-4"])
    }

    func testTableOfContentsForLongReports() {
        var report = HTMLReport(title: "t")
        for name in ["A", "B", "C", "D"] { report.add(HTMLReport.Section(name)) }
        guard let xml = XMLInspector.parse(report.render()) else { return }
        XCTAssertEqual(xml.elements(named: "nav").count, 1)
        XCTAssertEqual(xml.elements(named: "a").map { $0.attributes["href"] }, ["#a", "#b", "#c", "#d"])
    }

    func testFigureStripsXMLProlog() {
        let figure = HTMLReport.Figure(svg: "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>")
        XCTAssertTrue(figure.svg.hasPrefix("<svg"))
    }

    func testAtomicWriteAndFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scratchreport-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = try ReportFolder(url: directory.appendingPathComponent("nested/report"))
        let url = try folder.write(sampleReport())
        XCTAssertEqual(url.lastPathComponent, "index.html")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), sampleReport().render())
        try folder.write("second version", named: "index.html")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second version")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "no temporary files left behind")
        XCTAssertThrowsError(try folder.write("x", named: "../escape.html"))
        XCTAssertThrowsError(try folder.write("x", named: ""))
        let chartURL = try folder.write(LineChart(title: "c", series: []), named: "chart.svg")
        XCTAssertNotNil(XMLInspector.parse(try String(contentsOf: chartURL, encoding: .utf8)))
    }
}
