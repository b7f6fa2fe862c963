import Foundation

/// A grouped bar chart: one group per category, one bar per series in each group —
/// e.g. train vs test accuracy for every optimizer.
///
/// ```swift
/// let chart = BarChart(title: "Final accuracy", yLabel: "accuracy",
///     categories: ["SGD", "Momentum", "AdaGrad", "Adam"],
///     series: [.init(name: "train", values: train), .init(name: "test", values: test)],
///     yRange: .fixed(0...1), valueFormat: .fixed(decimals: 3))
/// ```
///
/// A NaN or infinite value draws no bar; a small "n/a" marks its place.
public struct BarChart: SVGChart, Sendable {
    /// One bar per category.
    public struct Series: Sendable, Hashable {
        /// The legend entry.
        public var name: String
        /// One value per category (missing values draw nothing).
        public var values: [Double]
        /// A fixed colour; nil takes the palette's.
        public var color: RGBColor?

        /// A series.
        public init(name: String, values: [Double], color: RGBColor? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    /// The heading.
    public var title: String
    /// The horizontal axis caption (below the category names).
    public var xLabel: String
    /// The vertical axis caption.
    public var yLabel: String
    /// The group names, left to right.
    public var categories: [String]
    /// The bar series.
    public var series: [Series]
    /// The value axis extent; automatic always includes zero.
    public var yRange: AxisRange
    /// When set, each bar carries its value printed in this format.
    public var valueFormat: ValueFormat?
    /// Series colours.
    public var palette: Palette
    /// Horizontal guide lines (e.g. chance level); vertical ones are ignored.
    public var referenceLines: [ReferenceLine]

    /// A grouped bar chart.
    public init(title: String, xLabel: String = "", yLabel: String = "", categories: [String], series: [Series],
                yRange: AxisRange = .automatic, valueFormat: ValueFormat? = nil, palette: Palette = .tableau10,
                referenceLines: [ReferenceLine] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.yRange = yRange
        self.valueFormat = valueFormat
        self.palette = palette
        self.referenceLines = referenceLines
    }

    /// The colour of series `index`.
    public func color(ofSeries index: Int) -> RGBColor {
        series[index].color ?? palette.color(at: index)
    }

    /// The chart as a standalone SVG document.
    public func svg(width: Double, height: Double) -> String {
        let w = max(width.isFinite ? width : 640, 200)
        let h = max(height.isFinite ? height : 400, 140)
        var svg = SVGWriter(width: w, height: h, title: title.isEmpty ? "Bar chart" : title)
        ChartText.drawTitle(title, x: 12, maxWidth: w - 24, into: &svg)

        let entries = series.enumerated().map { i, s in
            LegendEntry(name: s.name, color: color(ofSeries: i), swatch: .box(opacity: 1))
        }
        var top: Double = title.isEmpty ? 14 : 40
        let legendRows = series.count > 1 ? LegendRenderer.flowRows(entries, maxWidth: w - 32) : []
        let legendTop = top - 6
        if !legendRows.isEmpty { top += Double(legendRows.count) * LegendRenderer.rowHeight + 6 }
        if valueFormat != nil { top += 6 }

        // Value axis.
        let finite = series.flatMap(\.values).filter(\.isFinite)
        let lowData = min(0, finite.min() ?? 0)
        let highData = max(0, finite.max() ?? 1)
        let provisionalHeight = max(40, h - top - 80)
        let yTarget = max(3, Int(provisionalHeight / 46))
        let yTicks: AxisTicks
        switch yRange {
        case .fixed(let r) where r.lowerBound.isFinite && r.upperBound.isFinite && r.upperBound > r.lowerBound:
            yTicks = AxisTicks.linear(covering: r, targetCount: yTarget, expand: false)
        default:
            yTicks = AxisTicks.linear(covering: lowData...(highData > lowData ? highData : lowData + 1), targetCount: yTarget, expand: true)
        }
        let yLabelWidth = yTicks.labels.map { TextMetrics.width($0, fontSize: ChartStyle.tickSize) }.max() ?? 10
        var left = 10 + (yLabel.isEmpty ? 0 : 20) + yLabelWidth + 8
        let right = 18.0
        var plotWidth = max(40, w - left - right)
        var groupWidth = plotWidth / Double(max(1, categories.count))

        // Category labels: horizontal when they fit, otherwise slanted.
        let categoryFont = 11.5
        let widest = categories.map { TextMetrics.width($0, fontSize: categoryFont) }.max() ?? 0
        let slanted = widest > groupWidth - 6
        let slantAngle = 35.0
        if slanted, let first = categories.first {
            // A slanted label reaches down-left from its group's centre: keep the first one on the canvas.
            let reach = min(TextMetrics.width(first, fontSize: categoryFont), 140) * cos(slantAngle * .pi / 180)
            for _ in 0..<2 {
                left = max(left, reach - groupWidth / 2 + 14) // + the rotated glyphs' ascent
                plotWidth = max(40, w - left - right)
                groupWidth = plotWidth / Double(max(1, categories.count))
            }
        }
        let labelDepth = slanted ? min(widest, 140) * sin(slantAngle * .pi / 180) + 14 : 19
        var bottom = 8 + labelDepth
        if !xLabel.isEmpty { bottom += 21 }
        bottom += 8
        let plot = Rect(x: left, y: top, width: plotWidth, height: max(40, h - top - bottom))
        let yMap = ScaleMap(scale: .linear, domain: yTicks.range, pixels: (plot.maxY, plot.y))

        AxisDrawing.drawGrid(yTicks, map: yMap, scale: .linear, orientation: .horizontal, plot: plot, into: &svg)
        AxisDrawing.drawYTickLabels(yTicks, map: yMap, plot: plot, into: &svg)
        if !legendRows.isEmpty {
            LegendRenderer.drawFlow(entries, rows: legendRows, centerX: plot.x + plot.width / 2, topY: legendTop, into: &svg)
        }

        let baseline = min(plot.maxY, max(plot.y, yMap.pixel(0) ?? plot.maxY))
        let barsPerGroup = Double(max(1, series.count))
        let innerWidth = groupWidth * 0.78
        let barWidth = innerWidth / barsPerGroup
        svg.open("g", ["class": "bars"])
        for (c, _) in categories.enumerated() {
            let groupX = plot.x + Double(c) * groupWidth + (groupWidth - innerWidth) / 2
            for (s, item) in series.enumerated() {
                let x = groupX + Double(s) * barWidth
                guard c < item.values.count else { continue }
                let value = item.values[c]
                guard value.isFinite, let rawY = yMap.pixel(value) else {
                    svg.text("n/a", x: x + barWidth / 2, y: baseline - 4, size: 9.5, anchor: .middle, color: ChartStyle.mutedColor,
                             extra: ["class": "missing"])
                    continue
                }
                let y = min(plot.maxY, max(plot.y, rawY))
                let rectTop = min(y, baseline)
                let rectHeight = abs(baseline - y)
                svg.empty("rect", ["class": "bar", "data-series": item.name, "x": SVGWriter.number(x + 1),
                                   "y": SVGWriter.number(rectTop), "width": SVGWriter.number(max(1, barWidth - 2)),
                                   "height": SVGWriter.number(rectHeight), "fill": color(ofSeries: s).hexString, "rx": "1.5"])
                if let format = valueFormat {
                    let text = NumberFormatting.format(value, format)
                    let size = min(10.5, max(7, (barWidth - 2) / (0.6 * Double(max(1, text.count))) ))
                    let labelY = value >= 0 ? rectTop - 4 : rectTop + rectHeight + size + 2
                    svg.text(text, x: x + barWidth / 2, y: labelY, size: size, anchor: .middle, color: ChartStyle.textColor,
                             extra: ["class": "value-label"])
                }
            }
        }
        svg.close("g")

        for line in referenceLines where line.orientation == .horizontal {
            guard let y = yMap.pixel(line.value), y >= plot.y - 0.5, y <= plot.maxY + 0.5 else { continue }
            svg.empty("line", ["class": "reference", "x1": SVGWriter.number(plot.x), "x2": SVGWriter.number(plot.maxX),
                               "y1": SVGWriter.number(y), "y2": SVGWriter.number(y), "stroke": line.color.hexString,
                               "stroke-width": "1.2", "stroke-dasharray": "5 4"])
            if let label = line.label {
                svg.text(label, x: plot.maxX - 4, y: y - 4, size: ChartStyle.noteSize, anchor: .end, color: line.color.hexString)
            }
        }

        // Baseline and axis.
        svg.empty("path", ["class": "axis", "d": "M\(SVGWriter.number(plot.x)) \(SVGWriter.number(plot.y)) V\(SVGWriter.number(plot.maxY))",
                           "stroke": ChartStyle.axisColor, "stroke-width": "1", "fill": "none"])
        svg.empty("line", ["class": "baseline", "x1": SVGWriter.number(plot.x), "x2": SVGWriter.number(plot.maxX),
                           "y1": SVGWriter.number(baseline), "y2": SVGWriter.number(baseline),
                           "stroke": ChartStyle.axisColor, "stroke-width": "1"])

        svg.open("g", ["class": "categories", "font-size": SVGWriter.number(categoryFont), "fill": ChartStyle.textColor])
        for (c, name) in categories.enumerated() {
            let cx = plot.x + (Double(c) + 0.5) * groupWidth
            if slanted {
                let (text, _) = ChartText.fitted(name, size: categoryFont, minSize: categoryFont, maxWidth: 140)
                let y = plot.maxY + 14
                svg.open("text", ["x": SVGWriter.number(cx), "y": SVGWriter.number(y), "text-anchor": "end",
                                  "transform": "rotate(-\(SVGWriter.number(slantAngle)) \(SVGWriter.number(cx)) \(SVGWriter.number(y)))"])
                svg.raw(Escaping.xml(text))
                svg.close("text")
            } else {
                svg.open("text", ["x": SVGWriter.number(cx), "y": SVGWriter.number(plot.maxY + 17), "text-anchor": "middle"])
                svg.raw(Escaping.xml(name))
                svg.close("text")
            }
        }
        svg.close("g")
        if !xLabel.isEmpty {
            svg.text(xLabel, x: plot.x + plot.width / 2, y: plot.maxY + 8 + labelDepth + 17, size: ChartStyle.labelSize,
                     anchor: .middle, extra: ["class": "axis-label"])
        }
        if !yLabel.isEmpty {
            AxisDrawing.drawYLabel(yLabel, x: 20, centerY: plot.y + plot.height / 2, into: &svg)
        }
        if categories.isEmpty || series.isEmpty {
            svg.text("No data", x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, size: 13, anchor: .middle,
                     color: ChartStyle.mutedColor, extra: ["class": "empty-note", "font-style": "italic"])
        }
        return svg.finish()
    }
}
