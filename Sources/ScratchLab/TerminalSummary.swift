import ScratchReport
import ScratchTrain

/// The end-of-run summary shown in the terminal: the results table and a
/// small Unicode chart of every variant's test accuracy.
public enum TerminalSummary {
    public static func render(handsOn: HandsOn, results: [VariantResult], colors: Bool) -> String {
        let report = HandsOnReport(handsOn: handsOn, results: results, data: "", precision: "")
        var table = report.resultsTable()
        // The settings column is long; the terminal shows the rest.
        table = DataTable(header: table.header.enumerated().filter { $0.offset != 1 }.map(\.element),
                          rows: table.rows.map { DataTable.Row(cells: $0.cells.enumerated().filter { $0.offset != 1 }.map(\.element), emphasis: $0.emphasis) },
                          alignments: table.alignments.enumerated().filter { $0.offset != 1 }.map(\.element))
        let chart = TerminalChart(
            title: "test accuracy", series: results.map { r in
                DataSeries(name: r.variant.id, x: r.history.records.map { Double($0.iteration) }, y: r.history.records.map(\.testAccuracy))
            }, width: 64, height: 12, yRange: .fixed(0...1), colorEnabled: colors)
        let conclusions = Conclusions.overall(results, extras: handsOn.extras).map { "• " + $0 }
        return ([TerminalTable(table, colorEnabled: colors).render(), chart.render()] + conclusions).joined(separator: "\n")
    }
}
