import Foundation

/// A small multi-series line chart drawn with Unicode characters for the terminal —
/// the same curves as the SVG report, at a glance, while training runs.
///
/// ```
/// accuracy
/// 1.0┤        ⢀⣀⣀⡠⠤⠤⠤⠒⠒⠒⠒⠊⠉⠉⠉⠉⠉
///    │   ⢀⡠⠔⠊⠉
/// 0.5┤ ⡠⠊
///    │⡜
/// 0.0┤
///    └─────────────────────────
///    0                     2000
/// ── train  ── test
/// ```
///
/// The output is exactly ``width`` columns by ``height`` lines (title and legend included)
/// as long as the height leaves at least two rows for the plot.
public struct TerminalChart: Sendable {
    /// How lines are drawn.
    public enum Style: Sendable, Hashable {
        /// Braille when colour is on or there is one series, markers otherwise.
        case automatic
        /// Braille dots: 2 × 4 dots per character, smooth lines; series told apart by colour.
        case braille
        /// One ASCII marker per column (`*`, `o`, `+`, `x`, …): series told apart without colour.
        case markers
    }

    /// An optional first line.
    public var title: String?
    /// The lines to draw.
    public var series: [DataSeries]
    /// Total width in terminal columns.
    public var width: Int
    /// Total height in lines.
    public var height: Int
    /// Vertical extent (accuracy: `0...1`).
    public var yRange: AxisRange
    /// Horizontal extent (automatic: the data's minimum to maximum).
    public var xRange: AxisRange
    /// Braille or markers.
    public var style: Style
    /// Colour the series with ANSI codes.
    public var colorEnabled: Bool

    /// The ASCII markers used in ``Style/markers``, in series order.
    public static let markers: [Character] = ["*", "o", "+", "x", "#", "@", "%", "&"]

    /// A terminal chart.
    public init(title: String? = nil, series: [DataSeries], width: Int = 64, height: Int = 16,
                yRange: AxisRange = .fixed(0...1), xRange: AxisRange = .automatic, style: Style = .automatic,
                colorEnabled: Bool = false) {
        self.title = title
        self.series = series
        self.width = width
        self.height = height
        self.yRange = yRange
        self.xRange = xRange
        self.style = style
        self.colorEnabled = colorEnabled
    }

    /// The terminal version of an SVG line chart (same title, series and ranges; a logarithmic
    /// y axis is drawn linearly in log10 units).
    public init(_ chart: LineChart, width: Int = 64, height: Int = 16, colorEnabled: Bool = false) {
        var series = chart.series
        var yRange = chart.yRange
        if chart.yScale == .logarithmic {
            series = series.map { s in
                var copy = s
                copy.points = s.points.map { ChartPoint(x: $0.x, y: $0.y > 0 ? log10($0.y) : .nan) }
                return copy
            }
            if case .fixed(let r) = yRange, r.lowerBound > 0 { yRange = .fixed(log10(r.lowerBound)...log10(r.upperBound)) }
            else { yRange = .automatic }
        }
        let title = chart.yScale == .logarithmic ? chart.title + " (log10)" : chart.title
        self.init(title: title, series: series, width: width, height: height, yRange: yRange, xRange: chart.xRange,
                  colorEnabled: colorEnabled)
    }

    private var resolvedStyle: Style {
        switch style {
        case .automatic: return colorEnabled || series.count <= 1 ? .braille : .markers
        case .braille, .markers: return style
        }
    }

    private func colored(_ text: String, series index: Int) -> String {
        guard colorEnabled else { return text }
        return ANSI.seriesColors[index % ANSI.seriesColors.count] + text + ANSI.reset
    }

    private func legendItems() -> [(text: String, width: Int)] {
        series.enumerated().compactMap { i, s in
            guard !s.name.isEmpty else { return nil }
            let symbol = resolvedStyle == .markers ? String(TerminalChart.markers[i % TerminalChart.markers.count]) : "──"
            let plain = symbol + " " + s.name
            return (colored(symbol, series: i) + " " + s.name, TextMetrics.displayWidth(plain))
        }
    }

    /// The chart as lines of exactly ``width`` columns.
    public func lines() -> [String] {
        let totalWidth = max(12, width)
        var legendLines: [String] = []
        var current = ""
        var used = 0
        for item in legendItems() {
            let w = min(item.width, totalWidth)
            if used > 0 && used + 3 + w > totalWidth {
                legendLines.append(current)
                current = ""
                used = 0
            }
            current += (used > 0 ? "   " : "") + item.text
            used += (used > 0 ? 3 : 0) + w
        }
        if used > 0 { legendLines.append(current) }
        let titleLines = (title ?? "").isEmpty ? 0 : 1
        let plotHeight = max(2, height - titleLines - legendLines.count - 2)

        // Ranges.
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let yTicks: AxisTicks
        let yTarget = max(2, plotHeight / 3)
        switch yRange {
        case .fixed(let r) where r.lowerBound.isFinite && r.upperBound.isFinite && r.upperBound > r.lowerBound:
            yTicks = AxisTicks.linear(covering: r, targetCount: yTarget, expand: false)
        default:
            let lo = finite.map(\.y).min() ?? 0, hi = finite.map(\.y).max() ?? 1
            yTicks = AxisTicks.linear(covering: lo...max(hi, lo), targetCount: yTarget, expand: true)
        }
        let (yLow, yHigh) = (yTicks.range.lowerBound, yTicks.range.upperBound)
        var xLow: Double, xHigh: Double
        switch xRange {
        case .fixed(let r) where r.lowerBound.isFinite && r.upperBound.isFinite:
            (xLow, xHigh) = (r.lowerBound, r.upperBound)
        default:
            (xLow, xHigh) = (finite.map(\.x).min() ?? 0, finite.map(\.x).max() ?? 1)
        }
        if xHigh <= xLow { xHigh = xLow + 1 }

        // Y labels placed on their nearest rows.
        var rowLabels = [String?](repeating: nil, count: plotHeight)
        for (v, label) in zip(yTicks.values, yTicks.labels) {
            let position = ((yHigh - v) / (yHigh - yLow) * Double(plotHeight - 1)).rounded()
            guard position.isFinite, position >= 0, position < Double(plotHeight) else { continue }
            let row = Int(position)
            if rowLabels[row] == nil { rowLabels[row] = label }
        }
        let labelWidth = rowLabels.compactMap { $0 }.map(TextMetrics.displayWidth).max() ?? 1
        let plotWidth = max(2, totalWidth - labelWidth - 1)

        let grid = resolvedStyle == .braille
            ? brailleGrid(columns: plotWidth, rows: plotHeight, x: (xLow, xHigh), y: (yLow, yHigh))
            : markerGrid(columns: plotWidth, rows: plotHeight, x: (xLow, xHigh), y: (yLow, yHigh))

        var out: [String] = []
        if titleLines > 0 { out.append(TextMetrics.truncate(title ?? "", toDisplayWidth: totalWidth)) }
        for row in 0..<plotHeight {
            let label = rowLabels[row].map { TextMetrics.pad($0, to: labelWidth, alignment: .right) }
                ?? String(repeating: " ", count: labelWidth)
            let axis = rowLabels[row] != nil ? "┤" : "│"
            out.append(label + axis + grid[row].joined())
        }
        out.append(String(repeating: " ", count: labelWidth) + "└" + String(repeating: "─", count: plotWidth))
        let leftLabel = NumberFormatting.compact(xLow), rightLabel = NumberFormatting.compact(xHigh)
        var xLine = String(repeating: " ", count: labelWidth + 1) + leftLabel
        let gap = plotWidth - TextMetrics.displayWidth(leftLabel) - TextMetrics.displayWidth(rightLabel)
        if gap >= 1 { xLine += String(repeating: " ", count: gap) + rightLabel }
        out.append(xLine)
        out += legendLines
        return out.map { line in
            let w = TextMetrics.displayWidth(line)
            if w > totalWidth { return TextMetrics.truncate(line, toDisplayWidth: totalWidth) }
            return line + String(repeating: " ", count: totalWidth - w)
        }
    }

    /// The chart as one string, lines joined with `\n`.
    public func render() -> String {
        lines().joined(separator: "\n")
    }

    // MARK: - Drawing

    private func brailleGrid(columns: Int, rows: Int, x: (Double, Double), y: (Double, Double)) -> [[String]] {
        let dotsW = columns * 2, dotsH = rows * 4
        var bits = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: rows)
        var owner = [[Int]](repeating: [Int](repeating: -1, count: columns), count: rows)
        let bitFor: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        func set(_ dx: Int, _ dy: Int, _ s: Int) {
            guard dx >= 0, dx < dotsW, dy >= 0, dy < dotsH else { return }
            bits[dy / 4][dx / 2] |= bitFor[dy % 4][dx % 2]
            owner[dy / 4][dx / 2] = s
        }
        func dot(_ p: ChartPoint) -> Point? {
            guard p.x.isFinite, p.y.isFinite else { return nil }
            let px = (p.x - x.0) / (x.1 - x.0) * Double(dotsW - 1)
            let py = (y.1 - p.y) / (y.1 - y.0) * Double(dotsH - 1)
            guard !px.isNaN, !py.isNaN else { return nil }
            return Point(x: min(1e6, max(-1e6, px)), y: min(1e6, max(-1e6, py)))
        }
        let box = Rect(x: -0.49, y: -0.49, width: Double(dotsW - 1) + 0.98, height: Double(dotsH - 1) + 0.98)
        for (s, item) in series.enumerated() {
            var previous: Point?
            for p in item.points {
                guard let current = dot(p) else { previous = nil; continue }
                if let a = previous {
                    if let (c0, c1) = Geometry.clip(a, current, to: box) { line(c0, c1) { set($0, $1, s) } }
                } else if box.contains(current) {
                    set(Int(current.x.rounded()), Int(current.y.rounded()), s)
                }
                previous = current
            }
        }
        return (0..<rows).map { r in
            (0..<columns).map { c in
                guard bits[r][c] != 0, let scalar = Unicode.Scalar(0x2800 + UInt32(bits[r][c])) else { return " " }
                return colored(String(Character(scalar)), series: owner[r][c])
            }
        }
    }

    /// Bresenham between two points in dot space.
    private func line(_ a: Point, _ b: Point, _ plot: (Int, Int) -> Void) {
        var x0 = Int(a.x.rounded()), y0 = Int(a.y.rounded())
        let x1 = Int(b.x.rounded()), y1 = Int(b.y.rounded())
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            plot(x0, y0)
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x0 += sx }
            if e2 <= dx { error += dx; y0 += sy }
        }
    }

    private func markerGrid(columns: Int, rows: Int, x: (Double, Double), y: (Double, Double)) -> [[String]] {
        var grid = [[String]](repeating: [String](repeating: " ", count: columns), count: rows)
        for (s, item) in series.enumerated() {
            let marker = String(TerminalChart.markers[s % TerminalChart.markers.count])
            let points = item.points.sorted { $0.x < $1.x }
            guard !points.isEmpty else { continue }
            let halfStep = (x.1 - x.0) / Double(max(1, columns - 1)) / 2
            let first = points[0].x, last = points[points.count - 1].x
            var j = 0
            for c in 0..<columns {
                let xc = x.0 + Double(c) / Double(max(1, columns - 1)) * (x.1 - x.0)
                guard xc >= first - halfStep, xc <= last + halfStep else { continue }
                while j + 1 < points.count && points[j + 1].x <= xc { j += 1 }
                let value: Double
                if j + 1 < points.count && points[j].x <= xc && points[j + 1].x > points[j].x {
                    let a = points[j], b = points[j + 1]
                    value = a.y + (b.y - a.y) * (xc - a.x) / (b.x - a.x)
                } else {
                    value = points[j].y
                }
                let position = ((y.1 - value) / (y.1 - y.0) * Double(rows - 1)).rounded()
                guard position.isFinite, position >= 0, position < Double(rows) else { continue }
                let row = Int(position)
                grid[row][c] = colored(marker, series: s)
            }
        }
        return grid
    }
}
