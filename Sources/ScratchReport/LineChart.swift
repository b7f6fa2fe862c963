import Foundation

/// A line chart of one or more series, drawn as SVG — the course's
/// "accuracy against iterations" figure, loss curves, gradient norms per layer
/// (with a logarithmic y axis) or a metric against a regularization strength.
///
/// ```swift
/// let chart = LineChart(
///     title: "SGD — accuracy", xLabel: "iterations", yLabel: "accuracy",
///     series: [DataSeries(name: "train", x: iters, y: trainAcc),
///              DataSeries(name: "test", x: iters, y: testAcc, dash: .dashed)],
///     yRange: .fixed(0...1))
/// let svg = chart.svg(width: 640, height: 400)
/// ```
///
/// Points that are NaN or infinite are skipped (the line breaks there), so a diverged run
/// still draws; on a logarithmic axis non-positive values are skipped too, and a small
/// note under the chart says how many points were left out.
public struct LineChart: SVGChart, Sendable {
    /// The heading drawn above the plot.
    public var title: String
    /// The horizontal axis caption.
    public var xLabel: String
    /// The vertical axis caption.
    public var yLabel: String
    /// The lines, drawn in order (later ones on top).
    public var series: [DataSeries]
    /// The horizontal extent.
    public var xRange: AxisRange
    /// The vertical extent, e.g. `.fixed(0...1)` for accuracy.
    public var yRange: AxisRange
    /// Linear or logarithmic horizontal axis (log for regularization strengths).
    public var xScale: AxisScale
    /// Linear or logarithmic vertical axis (log for gradient norms or losses).
    public var yScale: AxisScale
    /// Where the legend goes.
    public var legend: LegendPlacement
    /// Series colours, used in order for series without their own colour.
    public var palette: Palette
    /// Guide lines such as chance level.
    public var referenceLines: [ReferenceLine]

    /// A line chart; only the title and series are required.
    public init(title: String, xLabel: String = "", yLabel: String = "", series: [DataSeries],
                xRange: AxisRange = .automatic, yRange: AxisRange = .automatic,
                xScale: AxisScale = .linear, yScale: AxisScale = .linear,
                legend: LegendPlacement = .automatic, palette: Palette = .tableau10,
                referenceLines: [ReferenceLine] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.xScale = xScale
        self.yScale = yScale
        self.legend = legend
        self.palette = palette
        self.referenceLines = referenceLines
    }

    /// The colour series `index` is drawn in.
    public func color(ofSeries index: Int) -> RGBColor {
        series[index].color ?? palette.color(at: index)
    }

    /// The chart as a standalone SVG document of `width` × `height` pixels.
    public func svg(width: Double, height: Double) -> String {
        let w = max(width.isFinite ? width : 640, 200)
        let h = max(height.isFinite ? height : 400, 140)
        let data = prepareData()
        let entries = legendEntries()
        var placement = legend
        if entries.isEmpty { placement = .hidden }

        var layout = makeLayout(width: w, height: h, data: data, placement: placement, entries: entries)
        var geometry = makeGeometry(layout: layout)
        if placement == .automatic {
            let resolved = chooseLegendCorner(layout: layout, geometry: geometry, entries: entries)
            if resolved == .below {
                layout = makeLayout(width: w, height: h, data: data, placement: .below, entries: entries)
                geometry = makeGeometry(layout: layout)
            }
            layout.legend = resolved
        }
        return draw(layout: layout, geometry: geometry, data: data, entries: entries)
    }

    // MARK: - Data

    struct PreparedData {
        var xExtent: ClosedRange<Double>?
        var yExtent: ClosedRange<Double>?
        var nonFinite = 0
        var nonPositive = 0
        var total = 0
    }

    private func prepareData() -> PreparedData {
        var data = PreparedData()
        var xs: (Double, Double)?
        var ys: (Double, Double)?
        for s in series {
            for p in s.points {
                data.total += 1
                guard p.x.isFinite, p.y.isFinite else { data.nonFinite += 1; continue }
                if (xScale == .logarithmic && p.x <= 0) || (yScale == .logarithmic && p.y <= 0) {
                    data.nonPositive += 1
                    continue
                }
                xs = xs.map { (min($0.0, p.x), max($0.1, p.x)) } ?? (p.x, p.x)
                ys = ys.map { (min($0.0, p.y), max($0.1, p.y)) } ?? (p.y, p.y)
            }
        }
        data.xExtent = xs.map { $0.0...$0.1 }
        data.yExtent = ys.map { $0.0...$0.1 }
        return data
    }

    private func legendEntries() -> [LegendEntry] {
        series.enumerated().compactMap { i, s in
            s.name.isEmpty ? nil : LegendEntry(name: s.name, color: color(ofSeries: i),
                                               swatch: .line(dash: s.dash, marker: s.marker, width: s.lineWidth))
        }
    }

    // MARK: - Layout

    struct Layout {
        var width: Double
        var height: Double
        var plot: Rect
        var xTicks: AxisTicks
        var yTicks: AxisTicks
        var xMap: ScaleMap
        var yMap: ScaleMap
        var legend: LegendPlacement
        var legendRows: [[Int]] = []
        var notesY: Double?
        var xLabelY: Double
    }

    private func axisTicks(range: AxisRange, extent: ClosedRange<Double>?, scale: AxisScale, target: Int) -> AxisTicks {
        switch range {
        case .fixed(let r) where !(scale == .logarithmic && r.lowerBound <= 0) && r.lowerBound.isFinite && r.upperBound.isFinite:
            return AxisTicks.make(scale: scale, covering: r, targetCount: target, expand: false)
        default:
            let e = extent ?? (scale == .logarithmic ? 0.1...1 : 0...1)
            return AxisTicks.make(scale: scale, covering: e, targetCount: target, expand: true)
        }
    }

    private func makeLayout(width: Double, height: Double, data: PreparedData, placement: LegendPlacement,
                            entries: [LegendEntry]) -> Layout {
        let top: Double = title.isEmpty ? 14 : 40
        var bottom = 8 + 19.0 // tick labels
        let xLabelOffset = bottom + 17
        if !xLabel.isEmpty { bottom = xLabelOffset + 4 }
        let hasNotes = data.nonFinite > 0 || data.nonPositive > 0
        let notesOffset = bottom + 14
        if hasNotes { bottom = notesOffset + 2 }
        var legendRows: [[Int]] = []
        var right = 18.0
        if placement == .below {
            legendRows = LegendRenderer.flowRows(entries, maxWidth: width - 32)
            bottom += 8 + Double(legendRows.count) * LegendRenderer.rowHeight
        } else if placement == .right {
            right = LegendRenderer.boxSize(entries).width + 26
        }
        bottom += 8
        let plotHeight = max(40, height - top - bottom)
        let yTarget = max(3, Int(plotHeight / 46))
        let yTicks = axisTicks(range: yRange, extent: data.yExtent, scale: yScale, target: yTarget)
        let yLabelWidth = yTicks.labels.map { TextMetrics.width($0, fontSize: ChartStyle.tickSize) }.max() ?? 10
        let left = 10 + (yLabel.isEmpty ? 0 : 20) + yLabelWidth + 8
        let plotWidth = max(40, width - left - right)
        var xTarget = max(3, Int(plotWidth / 80))
        var xTicks = axisTicks(range: xRange, extent: data.xExtent, scale: xScale, target: xTarget)
        while xTarget > 2 && Self.labelsCollide(xTicks, scale: xScale, pixels: plotWidth) {
            xTarget -= 1
            xTicks = axisTicks(range: xRange, extent: data.xExtent, scale: xScale, target: xTarget)
        }
        let plot = Rect(x: left, y: top, width: plotWidth, height: plotHeight)
        let xMap = ScaleMap(scale: xScale, domain: xTicks.range, pixels: (plot.x, plot.maxX))
        let yMap = ScaleMap(scale: yScale, domain: yTicks.range, pixels: (plot.maxY, plot.y))
        var layout = Layout(width: width, height: height, plot: plot, xTicks: xTicks, yTicks: yTicks, xMap: xMap,
                            yMap: yMap, legend: placement, xLabelY: plot.maxY + xLabelOffset)
        layout.legendRows = legendRows
        if hasNotes { layout.notesY = plot.maxY + (xLabel.isEmpty ? 8 + 19 + 14 : notesOffset) }
        return layout
    }

    /// Whether neighbouring tick labels would overlap at this plot width.
    static func labelsCollide(_ ticks: AxisTicks, scale: AxisScale, pixels: Double) -> Bool {
        guard ticks.values.count > 1 else { return false }
        let map = ScaleMap(scale: scale, domain: ticks.range, pixels: (0, pixels))
        for i in 1..<ticks.values.count {
            guard let a = map.pixel(ticks.values[i - 1]), let b = map.pixel(ticks.values[i]) else { continue }
            let needed = (TextMetrics.width(ticks.labels[i - 1], fontSize: ChartStyle.tickSize)
                + TextMetrics.width(ticks.labels[i], fontSize: ChartStyle.tickSize)) / 2 + 12
            if abs(b - a) < needed { return true }
        }
        return false
    }

    // MARK: - Geometry

    struct SeriesGeometry {
        var runs: [[Point]]          // clipped line pieces
        var isolated: [Point]        // single points with no neighbour
        var markers: [Point]
    }

    private func makeGeometry(layout: Layout) -> [SeriesGeometry] {
        let clipRect = layout.plot.insetBy(-0.5)
        return series.map { s in
            var runs: [[Point]] = []
            var current: [Point] = []
            var shown: [Point] = []
            for p in s.points {
                if let px = layout.xMap.pixel(p.x), let py = layout.yMap.pixel(p.y) {
                    let point = Point(x: px, y: py)
                    current.append(point)
                    shown.append(point)
                } else if !current.isEmpty {
                    runs.append(current)
                    current = []
                }
            }
            if !current.isEmpty { runs.append(current) }
            var geometry = SeriesGeometry(runs: [], isolated: [], markers: [])
            for run in runs {
                if run.count == 1 {
                    if clipRect.contains(run[0]) { geometry.isolated.append(run[0]) }
                    continue
                }
                let reduced = Geometry.decimate(run, maxPoints: Int(layout.plot.width) * 4)
                geometry.runs += Geometry.clip(polyline: reduced, to: clipRect)
            }
            if s.marker != .none && !shown.isEmpty {
                let stride = shown.count <= 30 ? 1 : Int((Double(shown.count) / 15).rounded(.up))
                var i = 0
                while i < shown.count {
                    if clipRect.contains(shown[i]) { geometry.markers.append(shown[i]) }
                    i += stride
                }
                if let last = shown.last, (shown.count - 1) % stride != 0, clipRect.contains(last) {
                    geometry.markers.append(last)
                }
            }
            return geometry
        }
    }

    private func chooseLegendCorner(layout: Layout, geometry: [SeriesGeometry], entries: [LegendEntry]) -> LegendPlacement {
        let size = LegendRenderer.boxSize(entries)
        guard size.width <= layout.plot.width * 0.55, size.height <= layout.plot.height * 0.65 else { return .below }
        var samples: [Point] = []
        for g in geometry {
            samples += g.isolated
            samples += g.markers
            for run in g.runs {
                guard var previous = run.first else { continue }
                samples.append(previous)
                for p in run.dropFirst() {
                    let distance = max(abs(p.x - previous.x), abs(p.y - previous.y))
                    let steps = max(1, Int(distance / 3))
                    for k in 1...steps {
                        let t = Double(k) / Double(steps)
                        samples.append(Point(x: previous.x + (p.x - previous.x) * t, y: previous.y + (p.y - previous.y) * t))
                    }
                    previous = p
                }
            }
        }
        // Reference lines and their labels must stay visible too.
        let plot = layout.plot
        for line in referenceLines {
            switch line.orientation {
            case .horizontal:
                guard let y = layout.yMap.pixel(line.value), y >= plot.y, y <= plot.maxY else { continue }
                samples += stride(from: plot.x, through: plot.maxX, by: 3).map { Point(x: $0, y: y) }
                if let label = line.label {
                    let labelY = y - plot.y < 16 ? y + 9 : y - 8
                    let width = TextMetrics.width(label, fontSize: ChartStyle.noteSize)
                    samples += stride(from: plot.maxX - 4 - width, through: plot.maxX - 4, by: 3).map { Point(x: $0, y: labelY) }
                }
            case .vertical:
                guard let x = layout.xMap.pixel(line.value), x >= plot.x, x <= plot.maxX else { continue }
                samples += stride(from: plot.y, through: plot.maxY, by: 3).map { Point(x: x, y: $0) }
            }
        }
        var chosen = LegendPlacement.below
        var fewestHits = Int.max
        for corner in [LegendPlacement.topRight, .bottomRight, .topLeft, .bottomLeft] {
            let origin = legendOrigin(corner, layout: layout, size: size)
            let box = Rect(x: origin.x - 4, y: origin.y - 4, width: size.width + 8, height: size.height + 8)
            let hits = samples.reduce(0) { $0 + (box.contains($1) ? 1 : 0) }
            if hits < fewestHits {
                fewestHits = hits
                chosen = corner
            }
        }
        return fewestHits == 0 ? chosen : .below
    }

    private func legendOrigin(_ corner: LegendPlacement, layout: Layout, size: (width: Double, height: Double)) -> Point {
        let inset = 8.0
        let plot = layout.plot
        switch corner {
        case .topLeft: return Point(x: plot.x + inset, y: plot.y + inset)
        case .bottomLeft: return Point(x: plot.x + inset, y: plot.maxY - inset - size.height)
        case .bottomRight: return Point(x: plot.maxX - inset - size.width, y: plot.maxY - inset - size.height)
        case .right: return Point(x: plot.maxX + 14, y: plot.y)
        default: return Point(x: plot.maxX - inset - size.width, y: plot.y + inset)
        }
    }

    // MARK: - Drawing

    private func draw(layout: Layout, geometry: [SeriesGeometry], data: PreparedData, entries: [LegendEntry]) -> String {
        var svg = SVGWriter(width: layout.width, height: layout.height, title: title.isEmpty ? "Line chart" : title)
        let plot = layout.plot
        AxisDrawing.drawGrid(layout.yTicks, map: layout.yMap, scale: yScale, orientation: .horizontal, plot: plot, into: &svg)
        AxisDrawing.drawGrid(layout.xTicks, map: layout.xMap, scale: xScale, orientation: .vertical, plot: plot, into: &svg)
        AxisDrawing.drawFrame(plot: plot, into: &svg)
        AxisDrawing.drawYTickLabels(layout.yTicks, map: layout.yMap, plot: plot, into: &svg)
        AxisDrawing.drawXTickLabels(layout.xTicks, map: layout.xMap, plot: plot, into: &svg)
        if !xLabel.isEmpty {
            svg.text(xLabel, x: plot.x + plot.width / 2, y: layout.xLabelY, size: ChartStyle.labelSize, anchor: .middle,
                     color: ChartStyle.textColor, extra: ["class": "axis-label"])
        }
        if !yLabel.isEmpty {
            AxisDrawing.drawYLabel(yLabel, x: 20, centerY: plot.y + plot.height / 2, into: &svg)
        }
        ChartText.drawTitle(title, x: 12, maxWidth: layout.width - 24, into: &svg)
        drawReferenceLines(layout: layout, into: &svg)

        svg.open("g", ["class": "series-group", "fill": "none", "stroke-linecap": "round", "stroke-linejoin": "round"])
        for (i, s) in series.enumerated() {
            let color = color(ofSeries: i).hexString
            var attributes = ["class": "series", "data-series": s.name, "d": SVGWriter.pathData(geometry[i].runs),
                              "stroke": color, "stroke-width": SVGWriter.number(s.lineWidth)]
            if let dashes = SVGWriter.dashArray(s.dash, lineWidth: s.lineWidth) { attributes["stroke-dasharray"] = dashes }
            svg.empty("path", attributes)
        }
        svg.close("g")
        for (i, s) in series.enumerated() {
            let color = color(ofSeries: i).hexString
            let hasPoints = !geometry[i].isolated.isEmpty || (!geometry[i].markers.isEmpty && s.marker != .none)
            guard hasPoints else { continue }
            svg.open("g", ["class": "markers"])
            for p in geometry[i].isolated where s.marker == .none {
                svg.empty("circle", ["cx": SVGWriter.number(p.x), "cy": SVGWriter.number(p.y),
                                     "r": SVGWriter.number(max(2, s.lineWidth * 1.2)), "fill": color])
            }
            for p in geometry[i].markers {
                svg.marker(s.marker, x: p.x, y: p.y, size: 7 + s.lineWidth, color: color)
            }
            svg.close("g")
        }

        let drawnPoints = geometry.reduce(0) { $0 + $1.runs.count + $1.isolated.count }
        if drawnPoints == 0 {
            let note = series.isEmpty || data.total == 0 ? "No data" : "No finite data to show"
            svg.text(note, x: plot.x + plot.width / 2, y: plot.y + plot.height / 2 + 5, size: 13, anchor: .middle,
                     color: ChartStyle.mutedColor, extra: ["class": "empty-note", "font-style": "italic"])
        }

        switch layout.legend {
        case .hidden, .automatic: break
        case .below:
            let top = layout.height - 8 - Double(layout.legendRows.count) * LegendRenderer.rowHeight
            LegendRenderer.drawFlow(entries, rows: layout.legendRows, centerX: plot.x + plot.width / 2, topY: top, into: &svg)
        default:
            let origin = legendOrigin(layout.legend, layout: layout, size: LegendRenderer.boxSize(entries))
            LegendRenderer.drawBox(entries, x: origin.x, y: origin.y, into: &svg)
        }

        if let notesY = layout.notesY {
            var parts: [String] = []
            if data.nonFinite > 0 { parts.append("\(data.nonFinite) non-finite point\(data.nonFinite == 1 ? "" : "s") (NaN/∞) skipped") }
            if data.nonPositive > 0 {
                parts.append("\(data.nonPositive) non-positive value\(data.nonPositive == 1 ? "" : "s") not shown on the log scale")
            }
            svg.text(parts.joined(separator: " · "), x: plot.x, y: notesY, size: ChartStyle.noteSize,
                     color: ChartStyle.mutedColor, extra: ["class": "chart-note", "font-style": "italic"])
        }
        return svg.finish()
    }

    private func drawReferenceLines(layout: Layout, into svg: inout SVGWriter) {
        let plot = layout.plot
        for line in referenceLines {
            let color = line.color.hexString
            switch line.orientation {
            case .horizontal:
                guard let y = layout.yMap.pixel(line.value), y >= plot.y - 0.5, y <= plot.maxY + 0.5 else { continue }
                svg.empty("line", ["class": "reference", "x1": SVGWriter.number(plot.x), "x2": SVGWriter.number(plot.maxX),
                                   "y1": SVGWriter.number(y), "y2": SVGWriter.number(y), "stroke": color,
                                   "stroke-width": "1.2", "stroke-dasharray": "5 4"])
                if let label = line.label {
                    let below = y - plot.y < 16
                    svg.text(label, x: plot.maxX - 4, y: below ? y + 13 : y - 4, size: ChartStyle.noteSize, anchor: .end,
                             color: color)
                }
            case .vertical:
                guard let x = layout.xMap.pixel(line.value), x >= plot.x - 0.5, x <= plot.maxX + 0.5 else { continue }
                svg.empty("line", ["class": "reference", "x1": SVGWriter.number(x), "x2": SVGWriter.number(x),
                                   "y1": SVGWriter.number(plot.y), "y2": SVGWriter.number(plot.maxY), "stroke": color,
                                   "stroke-width": "1.2", "stroke-dasharray": "5 4"])
                if let label = line.label {
                    svg.text(label, x: x + 4, y: plot.y + 12, size: ChartStyle.noteSize, color: color)
                }
            }
        }
    }
}

/// Gridlines, frame and tick labels shared by the charts.
enum AxisDrawing {
    enum Orientation { case horizontal, vertical }

    static func drawGrid(_ ticks: AxisTicks, map: ScaleMap, scale: AxisScale, orientation: Orientation, plot: Rect,
                         into svg: inout SVGWriter) {
        var major = ""
        var minor = ""
        func add(_ value: Double, to d: inout String) {
            guard let p = map.pixel(value) else { return }
            switch orientation {
            case .horizontal:
                guard p >= plot.y - 0.5, p <= plot.maxY + 0.5 else { return }
                d += "M\(SVGWriter.number(plot.x)) \(SVGWriter.number(p)) H\(SVGWriter.number(plot.maxX)) "
            case .vertical:
                guard p >= plot.x - 0.5, p <= plot.maxX + 0.5 else { return }
                d += "M\(SVGWriter.number(p)) \(SVGWriter.number(plot.y)) V\(SVGWriter.number(plot.maxY)) "
            }
        }
        for v in ticks.values { add(v, to: &major) }
        if scale == .logarithmic, ticks.values.count >= 2, ticks.values[1] / ticks.values[0] < 10.5 {
            // One-decade steps: faint minor lines at 2…9 × 10ⁿ.
            let lowExp = Int(log10(ticks.range.lowerBound).rounded(.down))
            let highExp = Int(log10(ticks.range.upperBound).rounded(.up))
            if highExp - lowExp <= 12 {
                for e in lowExp...highExp {
                    for m in 2...9 {
                        let v = Double(m) * pow(10, Double(e))
                        if v > ticks.range.lowerBound && v < ticks.range.upperBound { add(v, to: &minor) }
                    }
                }
            }
        }
        if !minor.isEmpty {
            svg.empty("path", ["class": "grid-minor", "d": String(minor.dropLast()), "stroke": "#f1f3f5", "stroke-width": "1", "fill": "none"])
        }
        if !major.isEmpty {
            svg.empty("path", ["class": "grid", "d": String(major.dropLast()), "stroke": ChartStyle.gridColor, "stroke-width": "1", "fill": "none"])
        }
    }

    static func drawFrame(plot: Rect, into svg: inout SVGWriter) {
        svg.empty("path", ["class": "axis", "d": "M\(SVGWriter.number(plot.x)) \(SVGWriter.number(plot.y)) V\(SVGWriter.number(plot.maxY)) H\(SVGWriter.number(plot.maxX))",
                           "stroke": ChartStyle.axisColor, "stroke-width": "1", "fill": "none"])
    }

    static func drawYTickLabels(_ ticks: AxisTicks, map: ScaleMap, plot: Rect, into svg: inout SVGWriter) {
        svg.open("g", ["class": "y-ticks", "font-size": SVGWriter.number(ChartStyle.tickSize), "fill": ChartStyle.mutedColor,
                       "text-anchor": "end"])
        for (v, label) in zip(ticks.values, ticks.labels) {
            guard let y = map.pixel(v), y >= plot.y - 0.5, y <= plot.maxY + 0.5 else { continue }
            svg.open("text", ["x": SVGWriter.number(plot.x - 7), "y": SVGWriter.number(y + 3.8)])
            svg.raw(Escaping.xml(label))
            svg.close("text")
        }
        svg.close("g")
    }

    static func drawXTickLabels(_ ticks: AxisTicks, map: ScaleMap, plot: Rect, into svg: inout SVGWriter) {
        svg.open("g", ["class": "x-ticks", "font-size": SVGWriter.number(ChartStyle.tickSize), "fill": ChartStyle.mutedColor,
                       "text-anchor": "middle"])
        for (v, label) in zip(ticks.values, ticks.labels) {
            guard let x = map.pixel(v), x >= plot.x - 0.5, x <= plot.maxX + 0.5 else { continue }
            svg.open("text", ["x": SVGWriter.number(x), "y": SVGWriter.number(plot.maxY + 17)])
            svg.raw(Escaping.xml(label))
            svg.close("text")
        }
        svg.close("g")
    }

    static func drawYLabel(_ label: String, x: Double, centerY: Double, into svg: inout SVGWriter) {
        svg.text(label, x: x, y: centerY, size: ChartStyle.labelSize, anchor: .middle, color: ChartStyle.textColor,
                 extra: ["class": "axis-label", "transform": "rotate(-90 \(SVGWriter.number(x)) \(SVGWriter.number(centerY)))"])
    }
}
