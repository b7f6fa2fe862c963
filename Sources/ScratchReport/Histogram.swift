import Foundation

/// A histogram chart — the course's activation-distribution figures.
///
/// Several series are either overlaid (semi-transparent, e.g. "start" vs "end" of
/// training) or drawn as side-by-side panels sharing one y axis (e.g. one panel per layer:
/// "layer 1" … "layer 5").
///
/// ```swift
/// let chart = Histogram(title: "Activations (sigmoid, std 1)", xLabel: "activation",
///     series: [.init(name: "layer 1", values: a1, binCount: 30, range: 0...1), …],
///     layout: .panels)
/// ```
public struct Histogram: SVGChart, Sendable {
    /// How several series share the plot.
    public enum Layout: Sendable, Hashable {
        /// All series in one plot, drawn translucently on top of each other.
        case overlaid
        /// One small plot per series, side by side, with a shared y axis.
        case panels
    }

    /// One distribution.
    public struct Series: Sendable, Hashable {
        /// The legend entry or panel heading.
        public var name: String
        /// The binned counts.
        public var bins: HistogramBins
        /// A fixed colour; nil takes the palette's.
        public var color: RGBColor?

        /// A series from ready-made bins.
        public init(name: String, bins: HistogramBins, color: RGBColor? = nil) {
            self.name = name
            self.bins = bins
            self.color = color
        }

        /// A series binned from raw values (see ``HistogramBins/init(values:binCount:range:)``).
        public init(name: String, values: [Double], binCount: Int, range: ClosedRange<Double>? = nil, color: RGBColor? = nil) {
            self.init(name: name, bins: HistogramBins(values: values, binCount: binCount, range: range), color: color)
        }
    }

    /// The heading.
    public var title: String
    /// The horizontal axis caption (the measured value).
    public var xLabel: String
    /// The vertical axis caption.
    public var yLabel: String
    /// The distributions.
    public var series: [Series]
    /// Overlaid or side-by-side panels.
    public var layout: Layout
    /// Series colours.
    public var palette: Palette

    /// A histogram chart.
    public init(title: String, xLabel: String = "", yLabel: String = "count", series: [Series],
                layout: Layout = .overlaid, palette: Palette = .tableau10) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.layout = layout
        self.palette = palette
    }

    /// The colour of series `index`.
    public func color(ofSeries index: Int) -> RGBColor {
        series[index].color ?? palette.color(at: index)
    }

    /// The chart as a standalone SVG document.
    public func svg(width: Double, height: Double) -> String {
        let w = max(width.isFinite ? width : 640, 200)
        let h = max(height.isFinite ? height : 400, 140)
        var svg = SVGWriter(width: w, height: h, title: title.isEmpty ? "Histogram" : title)
        ChartText.drawTitle(title, x: 12, maxWidth: w - 24, into: &svg)

        let entries = series.enumerated().map { i, s in
            LegendEntry(name: s.name, color: color(ofSeries: i), swatch: .box(opacity: 0.45))
        }
        var top: Double = title.isEmpty ? 14 : 40
        var legendRows: [[Int]] = []
        if layout == .overlaid && series.count > 1 {
            legendRows = LegendRenderer.flowRows(entries, maxWidth: w - 32)
            top += Double(legendRows.count) * LegendRenderer.rowHeight + 4
        }
        let panelTitleHeight: Double = layout == .panels ? 18 : 0
        var bottom = 8 + 19.0
        if !xLabel.isEmpty { bottom += 21 }
        bottom += 8
        let plotTop = top + panelTitleHeight
        let plotHeight = max(40, h - plotTop - bottom)

        let maxCount = series.flatMap(\.bins.counts).filter(\.isFinite).max() ?? 0
        let yTicks = AxisTicks.linear(covering: 0...max(maxCount, 1), targetCount: max(3, Int(plotHeight / 46)), expand: true)
        let yLabelWidth = yTicks.labels.map { TextMetrics.width($0, fontSize: ChartStyle.tickSize) }.max() ?? 10
        let left = 10 + (yLabel.isEmpty ? 0 : 20) + yLabelWidth + 8
        let right = 18.0
        let totalWidth = max(60, w - left - right)

        if !legendRows.isEmpty {
            LegendRenderer.drawFlow(entries, rows: legendRows, centerX: left + totalWidth / 2, topY: (title.isEmpty ? 10 : 34), into: &svg)
        }

        let panels: [[Int]] = layout == .panels ? series.indices.map { [$0] } : [Array(series.indices)]
        // Panels sit far enough apart that one panel's last x label and the next one's first never touch.
        let gap: Double = layout == .panels ? 26 : 0
        let panelWidth = max(30, (totalWidth - gap * Double(max(0, panels.count - 1))) / Double(max(1, panels.count)))

        if series.isEmpty {
            let plot = Rect(x: left, y: plotTop, width: totalWidth, height: plotHeight)
            AxisDrawing.drawFrame(plot: plot, into: &svg)
            svg.text("No data", x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, size: 13, anchor: .middle,
                     color: ChartStyle.mutedColor, extra: ["class": "empty-note", "font-style": "italic"])
        }

        for (p, members) in panels.enumerated() where !members.isEmpty {
            let plot = Rect(x: left + Double(p) * (panelWidth + gap), y: plotTop, width: panelWidth, height: plotHeight)
            var lo = members.compactMap { series[$0].bins.edges.first }.filter(\.isFinite).min() ?? 0
            var hi = members.compactMap { series[$0].bins.edges.last }.filter(\.isFinite).max() ?? 1
            if !(hi > lo) { lo = min(lo, hi); hi = lo + 1 }
            var xTarget = max(3, Int(panelWidth / 70))
            var xTicks = AxisTicks.linear(covering: lo...hi, targetCount: xTarget, expand: false)
            while xTarget > 2 && LineChart.labelsCollide(xTicks, scale: .linear, pixels: panelWidth) {
                xTarget -= 1
                xTicks = AxisTicks.linear(covering: lo...hi, targetCount: xTarget, expand: false)
            }
            let xMap = ScaleMap(scale: .linear, domain: lo...hi, pixels: (plot.x, plot.maxX))
            let yMap = ScaleMap(scale: .linear, domain: yTicks.range, pixels: (plot.maxY, plot.y))
            AxisDrawing.drawGrid(yTicks, map: yMap, scale: .linear, orientation: .horizontal, plot: plot, into: &svg)
            if p == 0 { AxisDrawing.drawYTickLabels(yTicks, map: yMap, plot: plot, into: &svg) }
            AxisDrawing.drawXTickLabels(xTicks, map: xMap, plot: plot, into: &svg)
            if layout == .panels {
                let (name, size) = ChartText.fitted(series[members[0]].name, size: 12, minSize: 9, maxWidth: panelWidth)
                svg.text(name, x: plot.x + plot.width / 2, y: plot.y - 6, size: size, anchor: .middle,
                         color: ChartStyle.textColor, weight: "600", extra: ["class": "panel-title"])
            }
            for index in members {
                drawBars(series[index], color: color(ofSeries: index), xMap: xMap, yMap: yMap, plot: plot, into: &svg)
            }
            AxisDrawing.drawFrame(plot: plot, into: &svg)
        }

        let plotCenterX = left + totalWidth / 2
        if !xLabel.isEmpty {
            svg.text(xLabel, x: plotCenterX, y: plotTop + plotHeight + 8 + 19 + 17, size: ChartStyle.labelSize,
                     anchor: .middle, extra: ["class": "axis-label"])
        }
        if !yLabel.isEmpty {
            AxisDrawing.drawYLabel(yLabel, x: 20, centerY: plotTop + plotHeight / 2, into: &svg)
        }
        return svg.finish()
    }

    private func drawBars(_ s: Series, color: RGBColor, xMap: ScaleMap, yMap: ScaleMap, plot: Rect, into svg: inout SVGWriter) {
        let hex = color.hexString
        let opacity = layout == .overlaid && series.count > 1 ? 0.38 : 0.72
        svg.open("g", ["class": "histogram-series", "data-series": s.name])
        var outline = ""
        let baseY = yMap.pixel(0) ?? plot.maxY
        for (i, count) in s.bins.counts.enumerated() {
            guard count.isFinite, let x0 = xMap.pixel(s.bins.edges[i]), let x1 = xMap.pixel(s.bins.edges[i + 1]),
                  let y = yMap.pixel(max(0, count)) else { continue }
            let top = max(plot.y, y)
            if count > 0 {
                svg.empty("rect", ["class": "bin", "x": SVGWriter.number(x0), "y": SVGWriter.number(top),
                                   "width": SVGWriter.number(max(0.5, x1 - x0)), "height": SVGWriter.number(max(0, baseY - top)),
                                   "fill": hex, "fill-opacity": SVGWriter.number(opacity)])
            }
            outline += (outline.isEmpty ? "M\(SVGWriter.number(x0)) \(SVGWriter.number(baseY)) " : "")
                + "V\(SVGWriter.number(top)) H\(SVGWriter.number(x1)) "
        }
        if !outline.isEmpty {
            outline += "V\(SVGWriter.number(baseY))"
            svg.empty("path", ["class": "outline", "d": outline, "fill": "none", "stroke": hex, "stroke-width": "1.2",
                               "stroke-linejoin": "round"])
        }
        svg.close("g")
    }
}
