import Foundation

/// A matrix of numbers drawn as coloured cells with the values printed in them — above all
/// a confusion matrix (rows = true label, columns = predicted label).
///
/// ```swift
/// let chart = Heatmap(confusion: matrix, labels: (0...9).map(String.init),
///                     title: "Confusion matrix (test set)")
/// ```
public struct Heatmap: SVGChart, Sendable {
    /// How values map to colour.
    public enum ColorScale: Sendable, Hashable {
        /// Proportional to the value over the largest value.
        case linear
        /// Proportional to log(1 + value), so a few errors beside a large diagonal still show.
        case logarithmic
        /// Each row relative to its own total (per-class recall for a confusion matrix).
        case rowNormalized
    }

    /// The heading.
    public var title: String
    /// The matrix, one array per row (short rows are padded with blanks).
    public var values: [[Double]]
    /// Names of the rows, top to bottom.
    public var rowLabels: [String]
    /// Names of the columns, left to right.
    public var columnLabels: [String]
    /// Caption of the row axis (left).
    public var rowAxisLabel: String
    /// Caption of the column axis (bottom).
    public var columnAxisLabel: String
    /// How numbers are printed in the cells.
    public var valueFormat: ValueFormat
    /// How values map to colour.
    public var colorScale: ColorScale
    /// Outline the diagonal (correct predictions).
    public var outlinesDiagonal: Bool

    /// A heatmap of arbitrary values.
    public init(title: String, values: [[Double]], rowLabels: [String], columnLabels: [String],
                rowAxisLabel: String = "", columnAxisLabel: String = "", valueFormat: ValueFormat = .automatic,
                colorScale: ColorScale = .linear, outlinesDiagonal: Bool = false) {
        self.title = title
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.valueFormat = valueFormat
        self.colorScale = colorScale
        self.outlinesDiagonal = outlinesDiagonal
    }

    /// A confusion matrix: `counts[trueLabel][predictedLabel]`, integer cells, log colours
    /// so that off-diagonal mistakes are visible, diagonal outlined.
    public init(confusion counts: [[Int]], labels: [String], title: String = "Confusion matrix",
                colorScale: ColorScale = .logarithmic) {
        self.init(title: title, values: counts.map { $0.map(Double.init) }, rowLabels: labels, columnLabels: labels,
                  rowAxisLabel: "true label", columnAxisLabel: "predicted label", valueFormat: .integer,
                  colorScale: colorScale, outlinesDiagonal: true)
    }

    private var rowCount: Int { max(values.count, rowLabels.count) }
    private var columnCount: Int { max(values.map(\.count).max() ?? 0, columnLabels.count) }

    private func value(_ r: Int, _ c: Int) -> Double? {
        guard r < values.count, c < values[r].count else { return nil }
        return values[r][c]
    }

    /// The colour intensity 0...1 of a cell.
    func intensity(row r: Int, column c: Int, maximum: Double, rowTotals: [Double]) -> Double {
        guard let v = value(r, c), v.isFinite else { return 0 }
        switch colorScale {
        case .linear: return maximum > 0 ? max(0, v) / maximum : 0
        case .logarithmic: return maximum > 0 ? log1p(max(0, v)) / log1p(maximum) : 0
        case .rowNormalized: return rowTotals[r] > 0 ? max(0, v) / rowTotals[r] : 0
        }
    }

    /// The chart as a standalone SVG document; cells are square and as large as fit.
    public func svg(width: Double, height: Double) -> String {
        let w = max(width.isFinite ? width : 520, 160)
        let h = max(height.isFinite ? height : 480, 140)
        var svg = SVGWriter(width: w, height: h, title: title.isEmpty ? "Heatmap" : title)
        ChartText.drawTitle(title, x: 12, maxWidth: w - 24, into: &svg)
        let rows = rowCount, cols = columnCount
        guard rows > 0, cols > 0 else {
            svg.text("No data", x: w / 2, y: h / 2, size: 13, anchor: .middle, color: ChartStyle.mutedColor,
                     extra: ["class": "empty-note", "font-style": "italic"])
            return svg.finish()
        }
        let labelFont = 11.5
        let rowLabelWidth = rowLabels.map { TextMetrics.width($0, fontSize: labelFont) }.max() ?? 0
        let colLabelWidth = columnLabels.map { TextMetrics.width($0, fontSize: labelFont) }.max() ?? 0
        let top: Double = title.isEmpty ? 12 : 40
        let left = 10 + (rowAxisLabel.isEmpty ? 0 : 22) + rowLabelWidth + 8
        let colorBarSpace = 62.0
        var bottom = 8 + 16.0
        if !columnAxisLabel.isEmpty { bottom += 20 }
        let available = (w - left - colorBarSpace - 10, h - top - bottom)
        var cell = max(6, min(available.0 / Double(cols), available.1 / Double(rows)))
        // Slant column labels if they do not fit under their cells.
        let slant = colLabelWidth > cell - 4
        if slant {
            bottom += min(colLabelWidth, 90) * 0.6
            cell = max(6, min(available.0 / Double(cols), (h - top - bottom) / Double(rows)))
        }
        let gridWidth = cell * Double(cols), gridHeight = cell * Double(rows)
        let gridX = left + max(0, (w - left - colorBarSpace - 10 - gridWidth) / 2)
        let gridY = top

        var maximum = 0.0
        var minimum = Double.infinity
        var rowTotals = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            for c in 0..<cols {
                if let v = value(r, c), v.isFinite {
                    maximum = max(maximum, v)
                    minimum = min(minimum, v)
                    rowTotals[r] += max(0, v)
                }
            }
        }
        if !minimum.isFinite { minimum = 0 }

        let texts = (0..<rows).map { r in (0..<cols).map { c in value(r, c).map { NumberFormatting.format($0, valueFormat) } ?? "" } }
        let longest = texts.flatMap { $0 }.map { TextMetrics.width($0, fontSize: 1) }.max() ?? 1
        let cellFont = min(13, cell * 0.36, (cell - 6) / max(0.6, longest))

        svg.open("g", ["class": "cells"])
        for r in 0..<rows {
            for c in 0..<cols {
                let t = intensity(row: r, column: c, maximum: maximum, rowTotals: rowTotals)
                let fill = ColorRamp.blues.color(at: t)
                let x = gridX + Double(c) * cell, y = gridY + Double(r) * cell
                svg.empty("rect", ["class": "cell", "x": SVGWriter.number(x), "y": SVGWriter.number(y),
                                   "width": SVGWriter.number(cell), "height": SVGWriter.number(cell),
                                   "fill": fill.hexString, "stroke": "#ffffff", "stroke-width": "1"])
                let text = texts[r][c]
                guard !text.isEmpty, cellFont >= 5 else { continue }
                let v = value(r, c) ?? 0
                let textColor = fill.relativeLuminance < 0.35 ? "#ffffff" : (v == 0 ? "#9aa4ae" : ChartStyle.textColor)
                svg.text(text, x: x + cell / 2, y: y + cell / 2 + cellFont * 0.36, size: cellFont, anchor: .middle,
                         color: textColor, extra: ["class": "cell-value"])
            }
        }
        svg.close("g")
        if outlinesDiagonal {
            var d = ""
            for i in 0..<min(rows, cols) {
                let x = gridX + Double(i) * cell, y = gridY + Double(i) * cell
                d += "M\(SVGWriter.number(x + 0.75)) \(SVGWriter.number(y + 0.75)) h\(SVGWriter.number(cell - 1.5)) v\(SVGWriter.number(cell - 1.5)) h\(SVGWriter.number(-(cell - 1.5))) Z "
            }
            svg.empty("path", ["class": "diagonal", "d": String(d.dropLast()), "fill": "none", "stroke": "#1f2328",
                               "stroke-opacity": "0.55", "stroke-width": "1.2"])
        }

        // Row labels.
        svg.open("g", ["class": "row-labels", "font-size": SVGWriter.number(labelFont), "fill": ChartStyle.textColor, "text-anchor": "end"])
        for (r, label) in rowLabels.enumerated() where r < rows {
            svg.open("text", ["x": SVGWriter.number(gridX - 6), "y": SVGWriter.number(gridY + (Double(r) + 0.5) * cell + 4)])
            svg.raw(Escaping.xml(label))
            svg.close("text")
        }
        svg.close("g")
        // Column labels.
        svg.open("g", ["class": "column-labels", "font-size": SVGWriter.number(labelFont), "fill": ChartStyle.textColor,
                       "text-anchor": slant ? "end" : "middle"])
        for (c, label) in columnLabels.enumerated() where c < cols {
            let x = gridX + (Double(c) + 0.5) * cell
            let y = gridY + gridHeight + 16
            var attributes = ["x": SVGWriter.number(x), "y": SVGWriter.number(y)]
            if slant { attributes["transform"] = "rotate(-35 \(SVGWriter.number(x)) \(SVGWriter.number(y)))" }
            svg.open("text", attributes)
            svg.raw(Escaping.xml(label))
            svg.close("text")
        }
        svg.close("g")
        if !columnAxisLabel.isEmpty {
            svg.text(columnAxisLabel, x: gridX + gridWidth / 2, y: gridY + gridHeight + bottom - 10, size: ChartStyle.labelSize,
                     anchor: .middle, extra: ["class": "axis-label"])
        }
        if !rowAxisLabel.isEmpty {
            AxisDrawing.drawYLabel(rowAxisLabel, x: gridX - rowLabelWidth - 20, centerY: gridY + gridHeight / 2, into: &svg)
        }

        // Colour bar: stacked bands (no gradient ids, so many charts can share a page).
        let barX = gridX + gridWidth + 16, barWidth = 12.0
        let bands = 40
        svg.open("g", ["class": "color-bar"])
        for i in 0..<bands {
            let t = 1 - (Double(i) + 0.5) / Double(bands)
            let y = gridY + Double(i) * gridHeight / Double(bands)
            svg.empty("rect", ["x": SVGWriter.number(barX), "y": SVGWriter.number(y), "width": SVGWriter.number(barWidth),
                               "height": SVGWriter.number(gridHeight / Double(bands) + 0.4),
                               "fill": ColorRamp.blues.color(at: t).hexString])
        }
        svg.empty("rect", ["x": SVGWriter.number(barX), "y": SVGWriter.number(gridY), "width": SVGWriter.number(barWidth),
                           "height": SVGWriter.number(gridHeight), "fill": "none", "stroke": "#d0d7de"])
        let (topLabel, bottomLabel): (String, String)
        switch colorScale {
        case .rowNormalized: (topLabel, bottomLabel) = ("100%", "0%")
        case .linear, .logarithmic:
            (topLabel, bottomLabel) = (NumberFormatting.format(maximum, valueFormat), NumberFormatting.format(min(0, minimum), valueFormat))
        }
        svg.text(topLabel, x: barX + barWidth + 4, y: gridY + 9, size: 10, color: ChartStyle.mutedColor)
        svg.text(bottomLabel, x: barX + barWidth + 4, y: gridY + gridHeight, size: 10, color: ChartStyle.mutedColor)
        if colorScale == .logarithmic {
            svg.text("log", x: barX + barWidth + 4, y: gridY + gridHeight / 2 + 3, size: 9.5, color: ChartStyle.mutedColor,
                     extra: ["font-style": "italic"])
        }
        svg.close("g")
        return svg.finish()
    }
}
