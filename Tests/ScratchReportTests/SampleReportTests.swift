import Foundation
import XCTest
@testable import ScratchReport

/// Builds a complete example report from synthetic numbers, checks it, and writes it to
/// `$SCRATCHREPORT_SAMPLE_DIR` (or a temporary folder) so it can be opened in a browser.
final class SampleReportTests: XCTestCase {
    /// A tiny deterministic generator (SplitMix64) so the sample is the same on every run.
    private struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
        }
        mutating func normal() -> Double {
            let u1 = max(next(), 1e-12), u2 = next()
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
    }

    private func curve(_ iterations: [Double], rate: Double, ceiling: Double, noise: Double, rng: inout Generator) -> [Double] {
        iterations.map { min(1, max(0, ceiling - (ceiling - 0.1) * exp(-$0 / rate) + noise * (rng.next() - 0.5))) }
    }

    /// A synthetic 28×28 "digit": a ring or a bar, blurred.
    private func digit(_ kind: Int, rng: inout Generator) throws -> GrayImage {
        var pixels = [Double](repeating: 0, count: 784)
        for y in 0..<28 {
            for x in 0..<28 {
                let dx = Double(x) - 13.5, dy = Double(y) - 13.5
                let value: Double
                switch kind % 3 {
                case 0: value = exp(-pow((dx * dx / 0.6 + dy * dy).squareRoot() - 8, 2) / 3)  // "0"
                case 1: value = exp(-pow(dx - dy * 0.2, 2) / 3) * (abs(dy) < 10 ? 1 : 0)     // "1"
                default: value = exp(-pow(dy + dx * 0.9, 2) / 3) * (abs(dx) < 9 ? 1 : 0)     // "7"-ish stroke
                }
                pixels[y * 28 + x] = min(1, max(0, value + 0.05 * rng.next()))
            }
        }
        return try GrayImage(width: 28, height: 28, pixels: pixels)
    }

    func testSampleReport() throws {
        var rng = Generator(state: 42)
        let iterations = stride(from: 0.0, through: 2000, by: 20).map { $0 }
        let variants: [(String, Double, Double)] = [("SGD", 600, 0.92), ("Momentum", 250, 0.965), ("AdaGrad", 150, 0.97), ("Adam", 180, 0.975)]
        var perVariant: [HTMLReport.Figure] = []
        var comparison: [DataSeries] = []
        var table = DataTable(header: ["optimizer", "learning rate", "train acc", "test acc", "gap"], caption: "Accuracy after 2000 iterations")
        var trainFinal: [Double] = [], testFinal: [Double] = []
        for (i, (name, rate, ceiling)) in variants.enumerated() {
            let train = curve(iterations, rate: rate, ceiling: ceiling, noise: 0.02, rng: &rng)
            let test = curve(iterations, rate: rate * 1.1, ceiling: ceiling - 0.012, noise: 0.015, rng: &rng)
            let chart = LineChart(title: "\(name) — accuracy", xLabel: "iterations", yLabel: "accuracy",
                                  series: [DataSeries(name: "train", x: iterations, y: train, marker: .circle),
                                           DataSeries(name: "test", x: iterations, y: test, dash: .dashed, marker: .square)],
                                  yRange: .fixed(0...1))
            perVariant.append(HTMLReport.Figure(chart, caption: "\(name): training and test accuracy"))
            comparison.append(DataSeries(name: name, x: iterations, y: test, color: Palette.tableau10.color(at: i)))
            trainFinal.append(train.last ?? .nan)
            testFinal.append(test.last ?? .nan)
            table.addRow([DataTable.Cell(name), "0.01", .number(train.last ?? .nan, format: .fixed(decimals: 4)),
                          .number(test.last ?? .nan, format: .fixed(decimals: 4), emphasis: name == "Adam" ? .good : .none),
                          .number((train.last ?? 0) - (test.last ?? 0), format: .fixed(decimals: 4))])
        }
        // A diverged run.
        let diverged = iterations.enumerated().map { $0.offset < 12 ? 0.1 + 0.02 * Double($0.offset) : Double.nan }
        comparison.append(DataSeries(name: "AdaGrad lr=10 (diverged)", x: iterations, y: diverged, dash: .dotted))
        table.addRow(["AdaGrad", "10", "NaN", "NaN", "—"], emphasis: .bad)

        let comparisonChart = LineChart(title: "Test accuracy — all optimizers", xLabel: "iterations", yLabel: "test accuracy",
                                        series: comparison, yRange: .fixed(0...1),
                                        referenceLines: [.horizontal(at: 0.1, label: "chance (10 classes)")])

        // Gradient norms per layer, log scale.
        let layers = (1...6).map(Double.init)
        let gradients = LineChart(title: "Gradient norm per layer", xLabel: "layer", yLabel: "‖∂L/∂W‖",
                                  series: [DataSeries(name: "sigmoid, std 1", x: layers, y: layers.map { 3e-9 * pow(25, $0) }, marker: .circle),
                                           DataSeries(name: "ReLU, He", x: layers, y: layers.map { 0.05 * (1 + 0.1 * $0) }, dash: .dashed, marker: .triangle)],
                                  yScale: .logarithmic)

        // Weight decay sweep.
        let lambdas = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]
        let sweep = LineChart(title: "Weight decay sweep", xLabel: "λ (weight decay)", yLabel: "accuracy",
                              series: [DataSeries(name: "train", x: lambdas, y: [1.0, 0.99, 0.96, 0.90, 0.75, 0.2], marker: .circle),
                                       DataSeries(name: "test", x: lambdas, y: [0.72, 0.74, 0.77, 0.80, 0.71, 0.2], dash: .dashed, marker: .square)],
                              yRange: .fixed(0...1), xScale: .logarithmic)

        // Activation histograms, one panel per layer.
        let activations = (1...5).map { layer in
            Histogram.Series(name: "layer \(layer)",
                             values: (0..<1000).map { _ in 1 / (1 + exp(-rng.normal() * 4 / Double(layer))) },
                             binCount: 30, range: 0...1)
        }
        let histogram = Histogram(title: "Activation distribution (sigmoid, std 1)", xLabel: "activation",
                                  series: activations, layout: .panels)
        let overlay = Histogram(title: "Weights at start vs end", xLabel: "weight",
                                series: [Histogram.Series(name: "start", values: (0..<2000).map { _ in rng.normal() * 0.1 }, binCount: 40),
                                         Histogram.Series(name: "end", values: (0..<2000).map { _ in rng.normal() * 0.16 + 0.02 }, binCount: 40)])

        let bars = BarChart(title: "Final accuracy", yLabel: "accuracy", categories: variants.map(\.0) + ["AdaGrad lr=10"],
                            series: [.init(name: "train", values: trainFinal + [.nan]), .init(name: "test", values: testFinal + [.nan])],
                            yRange: .fixed(0...1), valueFormat: .fixed(decimals: 2))

        // Confusion matrix.
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for t in 0..<10 {
            for p in 0..<10 { counts[t][p] = t == p ? 950 + Int(rng.next() * 40) : (rng.next() < 0.35 ? Int(rng.next() * 12) : 0) }
        }
        let heatmap = Heatmap(confusion: counts, labels: (0...9).map(String.init), title: "Confusion matrix (test set)")

        // Image grids.
        let wrong = try (0..<10).map { i in
            ImageGrid.Cell(image: try digit(i, rng: &rng), caption: "pred \((i + 3) % 10) / true \(i % 10)", emphasis: .bad)
        }
        let misclassified = ImageGrid(title: "Misclassified test digits", cells: wrong, columns: 5, cellSize: 56,
                                      normalization: .fixed(0...1))
        let filters = try (0..<30).map { _ in try GrayImage(width: 5, height: 5, pixels: (0..<25).map { _ in rng.normal() }) }
        let filterGrid = ImageGrid(title: "Conv1 filters after training", images: filters, columns: 10, cellSize: 40,
                                   colorMap: .grayInverted)

        var report = HTMLReport(title: "Optimizer comparison on MNIST",
                                subtitle: "Hands-on 2-1 · 5-layer MLP, 100 units, ReLU · 2000 iterations · batch 128 · seed 42")
        var setup = HTMLReport.Section("Setup")
        setup.add(.paragraph("Each optimizer trains the same network from the same initial weights on the same mini-batches; only the update rule changes."))
        setup.add(.settings([(key: "network", value: "784 → 100 × 4 → 10 (ReLU, He init)"), (key: "iterations", value: "2000"),
                             (key: "batch size", value: "128"), (key: "learning rate", value: "0.01 (AdaGrad: also 10)"),
                             (key: "seed", value: "42")]))
        report.add(setup)
        var results = HTMLReport.Section("Results")
        results.add(.table(table))
        results.add(.figures(perVariant))
        results.add(.figure(HTMLReport.Figure(comparisonChart, caption: "Test accuracy of every optimizer; the diverged run stops after 11 points.", span: .wide)))
        results.add(.figures([HTMLReport.Figure(bars, caption: "Final accuracy (n/a: diverged)"),
                              HTMLReport.Figure(sweep, caption: "Accuracy against weight decay strength")]))
        results.add(.bullets(["Adam and AdaGrad reach 97% test accuracy within 1000 iterations.",
                              "Plain SGD is slowest: after 2000 iterations it is still climbing.",
                              "AdaGrad with learning rate 10 diverges: the loss becomes NaN after 11 evaluations."]))
        results.add(.note("Accuracy curves are measured on 1000 test images every 20 iterations; small wiggles are noise.", title: "How to read the charts"))
        report.add(results)
        var inside = HTMLReport.Section("Inside the network")
        inside.add(.figure(HTMLReport.Figure(histogram, caption: "Sigmoid activations pile up at 0 and 1 (saturation).", span: .wide)))
        inside.add(.figures([HTMLReport.Figure(gradients, caption: "Vanishing gradients with sigmoid (log scale)."),
                             HTMLReport.Figure(overlay, caption: "Weight distribution before and after training.")]))
        inside.add(.figures([HTMLReport.Figure(heatmap, caption: "Rows: true digit; columns: prediction.", width: 520, height: 470),
                             HTMLReport.Figure(misclassified, caption: "Misclassified digits.")]))
        inside.add(.figure(HTMLReport.Figure(filterGrid, caption: "First-layer filters (5×5), dark = positive weight.")))
        inside.add(.note("This run uses synthetic numbers: it only demonstrates the report layout.", kind: .warning))
        inside.add(.preformatted(TerminalTable(table).render()))
        report.add(inside)

        let html = report.render()
        guard let xml = XMLInspector.parse(html) else { return }
        XCTAssertEqual(xml.elements(named: "svg").count, 13)
        XCTAssertEqual(xml.elements(named: "table").count, 1)

        let directory: URL
        if let path = ProcessInfo.processInfo.environment["SCRATCHREPORT_SAMPLE_DIR"], !path.isEmpty {
            directory = URL(fileURLWithPath: path)
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("scratchreport-sample")
        }
        let folder = try ReportFolder(url: directory)
        try folder.write(report)
        try folder.write(comparisonChart, named: "comparison.svg")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.html").path))

        // The terminal summary of the same experiment.
        let terminal = TerminalChart(title: "test accuracy", series: Array(comparison.prefix(2)), width: 60, height: 14)
        XCTAssertEqual(terminal.lines().count, 14)
    }
}
