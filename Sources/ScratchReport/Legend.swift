/// One legend row: a swatch and a name.
struct LegendEntry: Sendable {
    enum Swatch: Sendable {
        case line(dash: LineDash, marker: Marker, width: Double)
        case box(opacity: Double)
    }

    var name: String
    var color: RGBColor
    var swatch: Swatch
}

/// Measures and draws legends, either as a framed box of rows or as a centred,
/// wrapping flow of items.
enum LegendRenderer {
    static let fontSize = 11.5
    static let rowHeight = 18.0
    static let swatchWidth = 22.0
    static let padding = 8.0
    static let itemGap = 16.0

    static func itemWidth(_ entry: LegendEntry) -> Double {
        swatchWidth + 6 + TextMetrics.width(entry.name, fontSize: fontSize)
    }

    /// Size of a vertical box legend.
    static func boxSize(_ entries: [LegendEntry]) -> (width: Double, height: Double) {
        let widest = entries.map(itemWidth).max() ?? 0
        return (widest + 2 * padding, Double(entries.count) * rowHeight + padding * 2 - 4)
    }

    /// Splits entries into rows that fit `maxWidth`.
    static func flowRows(_ entries: [LegendEntry], maxWidth: Double) -> [[Int]] {
        var rows: [[Int]] = []
        var current: [Int] = []
        var used = 0.0
        for (i, entry) in entries.enumerated() {
            let w = itemWidth(entry)
            if !current.isEmpty && used + itemGap + w > maxWidth {
                rows.append(current)
                current = []
                used = 0
            }
            used += (current.isEmpty ? 0 : itemGap) + w
            current.append(i)
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// Draws a framed vertical legend with its top-left corner at (x, y).
    static func drawBox(_ entries: [LegendEntry], x: Double, y: Double, into svg: inout SVGWriter) {
        let size = boxSize(entries)
        svg.open("g", ["class": "legend"])
        svg.empty("rect", ["x": SVGWriter.number(x), "y": SVGWriter.number(y), "width": SVGWriter.number(size.width),
                           "height": SVGWriter.number(size.height), "rx": "4", "fill": "#ffffff", "fill-opacity": "0.92",
                           "stroke": "#d0d7de", "stroke-width": "1"])
        for (i, entry) in entries.enumerated() {
            let rowY = y + padding + Double(i) * rowHeight + rowHeight / 2 - 2
            drawItem(entry, x: x + padding, centerY: rowY, into: &svg)
        }
        svg.close("g")
    }

    /// Draws wrapping rows of items centred on `centerX`, the first row centred on `topY + rowHeight/2`.
    static func drawFlow(_ entries: [LegendEntry], rows: [[Int]], centerX: Double, topY: Double, into svg: inout SVGWriter) {
        svg.open("g", ["class": "legend"])
        for (r, row) in rows.enumerated() {
            let total = row.map { itemWidth(entries[$0]) }.reduce(0, +) + itemGap * Double(max(0, row.count - 1))
            var x = centerX - total / 2
            let cy = topY + Double(r) * rowHeight + rowHeight / 2
            for i in row {
                drawItem(entries[i], x: x, centerY: cy, into: &svg)
                x += itemWidth(entries[i]) + itemGap
            }
        }
        svg.close("g")
    }

    static func drawItem(_ entry: LegendEntry, x: Double, centerY: Double, into svg: inout SVGWriter) {
        let color = entry.color.hexString
        switch entry.swatch {
        case .line(let dash, let marker, let width):
            var attributes = ["x1": SVGWriter.number(x), "x2": SVGWriter.number(x + swatchWidth),
                              "y1": SVGWriter.number(centerY), "y2": SVGWriter.number(centerY),
                              "stroke": color, "stroke-width": SVGWriter.number(min(width, 3)), "stroke-linecap": "round"]
            if let dashes = SVGWriter.dashArray(dash, lineWidth: min(width, 3)) { attributes["stroke-dasharray"] = dashes }
            svg.empty("line", attributes)
            svg.marker(marker, x: x + swatchWidth / 2, y: centerY, size: 7, color: color)
        case .box(let opacity):
            svg.empty("rect", ["x": SVGWriter.number(x + 5), "y": SVGWriter.number(centerY - 6), "width": "12", "height": "12",
                               "rx": "2", "fill": color, "fill-opacity": SVGWriter.number(opacity),
                               "stroke": color, "stroke-width": "1"])
        }
        svg.text(entry.name, x: x + swatchWidth + 6, y: centerY + 4, size: fontSize, color: ChartStyle.textColor)
    }
}

/// Shared pieces of chart layout: titles that fit, notes.
enum ChartText {
    /// The title's font size and text, shrunk and then truncated to fit `maxWidth`.
    static func fitted(_ text: String, size: Double, minSize: Double, maxWidth: Double) -> (String, Double) {
        var fontSize = size
        while fontSize > minSize && TextMetrics.width(text, fontSize: fontSize) > maxWidth { fontSize -= 0.5 }
        if TextMetrics.width(text, fontSize: fontSize) <= maxWidth { return (text, fontSize) }
        var characters = Array(text)
        while !characters.isEmpty && TextMetrics.width(String(characters) + "…", fontSize: fontSize) > maxWidth {
            characters.removeLast()
        }
        return (String(characters) + "…", fontSize)
    }

    /// Draws the chart title at the top left.
    static func drawTitle(_ title: String, x: Double, maxWidth: Double, into svg: inout SVGWriter) {
        guard !title.isEmpty else { return }
        // Titles are semibold, up to 15% wider than regular text.
        let (text, size) = fitted(title, size: ChartStyle.titleSize, minSize: 12, maxWidth: maxWidth / 1.15)
        svg.text(text, x: x, y: 24, size: size, color: ChartStyle.textColor, weight: "600", extra: ["class": "chart-title"])
    }
}
