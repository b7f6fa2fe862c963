/// Anything that draws itself as a standalone SVG document.
///
/// Every chart in ScratchReport conforms, so an ``HTMLReport`` figure or a
/// ``ReportFolder`` can take any of them.
public protocol SVGChart: Sendable {
    /// A complete `<svg>` element of the given size in pixels, well-formed XML,
    /// with no scripts, no external references and no element ids (so several charts
    /// can be inlined into one HTML page).
    func svg(width: Double, height: Double) -> String
}

extension SVGChart {
    /// The chart at its default size, 640 × 400 pixels.
    public func svg() -> String { svg(width: 640, height: 400) }
}

/// The shared look of every chart.
enum ChartStyle {
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Hiragino Sans', 'Noto Sans CJK JP', sans-serif"
    static let titleSize = 15.0
    static let labelSize = 12.5
    static let tickSize = 11.0
    static let noteSize = 10.5
    static let textColor = "#1f2328"
    static let mutedColor = "#57606a"
    static let gridColor = "#e6e8eb"
    static let axisColor = "#8c959f"
    static let bad = RGBColor(hex: 0xC62828)
    static let good = RGBColor(hex: 0x2E7D32)
    static let warning = RGBColor(hex: 0xB7791F)
}

/// A tiny streaming SVG writer: every attribute value and text node is escaped
/// through ``Escaping/xml(_:)``, numbers are written with at most two decimals.
struct SVGWriter {
    private(set) var output: String = ""

    /// Opens the root `<svg>` with a `<title>` and a white background.
    init(width: Double, height: Double, viewWidth: Double? = nil, viewHeight: Double? = nil, title: String) {
        let vw = viewWidth ?? width
        let vh = viewHeight ?? height
        output.reserveCapacity(16_384)
        output += "<svg xmlns=\"http://www.w3.org/2000/svg\""
        output += " width=\"\(SVGWriter.number(width))\" height=\"\(SVGWriter.number(height))\""
        output += " viewBox=\"0 0 \(SVGWriter.number(vw)) \(SVGWriter.number(vh))\""
        output += " role=\"img\" aria-label=\"\(Escaping.xml(title))\""
        output += " font-family=\"\(Escaping.xml(ChartStyle.fontFamily))\" class=\"scratch-chart\">"
        output += "<title>\(Escaping.xml(title))</title>"
        empty("rect", ["width": SVGWriter.number(vw), "height": SVGWriter.number(vh), "fill": "#ffffff"])
    }

    /// Closes the root element and returns the document.
    mutating func finish() -> String {
        output += "</svg>"
        return output
    }

    /// `<name a="…">` (attributes are written in key order for reproducible output).
    mutating func open(_ name: String, _ attributes: [String: String] = [:]) {
        output += "<" + name + SVGWriter.attributeString(attributes) + ">"
    }

    /// `</name>`.
    mutating func close(_ name: String) {
        output += "</" + name + ">"
    }

    /// `<name a="…"/>`.
    mutating func empty(_ name: String, _ attributes: [String: String]) {
        output += "<" + name + SVGWriter.attributeString(attributes) + "/>"
    }

    /// `<text …>content</text>`; `content` is escaped.
    mutating func text(_ content: String, x: Double, y: Double, size: Double, anchor: TextAnchor = .start,
                       color: String = ChartStyle.textColor, weight: String? = nil,
                       extra: [String: String] = [:]) {
        var attributes = extra
        attributes["x"] = SVGWriter.number(x)
        attributes["y"] = SVGWriter.number(y)
        attributes["font-size"] = SVGWriter.number(size)
        attributes["fill"] = color
        if anchor != .start { attributes["text-anchor"] = anchor.rawValue }
        if let weight { attributes["font-weight"] = weight }
        open("text", attributes)
        output += Escaping.xml(content)
        close("text")
    }

    /// Appends already well-formed markup.
    mutating func raw(_ markup: String) { output += markup }

    enum TextAnchor: String { case start, middle, end }

    static func attributeString(_ attributes: [String: String]) -> String {
        var s = ""
        for key in attributes.keys.sorted() {
            s += " " + key + "=\"" + Escaping.xml(attributes[key] ?? "") + "\""
        }
        return s
    }

    /// A coordinate with at most two decimals, locale-independent (`12.5`, `3`, `-0.25`).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 100).rounded()
        if abs(scaled) > 9e15 { return String(Int(value.rounded())) }
        let negative = scaled < 0
        let magnitude = Int(abs(scaled))
        let whole = magnitude / 100
        let fraction = magnitude % 100
        var s = negative && magnitude != 0 ? "-" : ""
        s += String(whole)
        if fraction != 0 {
            s += fraction % 10 == 0 ? "." + String(fraction / 10) : (fraction < 10 ? ".0" : ".") + String(fraction)
        }
        return s
    }

    /// An SVG path `d` from runs of points: each run starts with `M`, continues with `L`.
    static func pathData(_ runs: [[Point]]) -> String {
        var d = ""
        for run in runs where !run.isEmpty {
            for (i, p) in run.enumerated() {
                d += (i == 0 ? (d.isEmpty ? "M" : " M") : " L") + number(p.x) + " " + number(p.y)
            }
        }
        return d
    }

    /// The `stroke-dasharray` for a dash style, scaled by the stroke width.
    static func dashArray(_ dash: LineDash, lineWidth: Double) -> String? {
        let w = max(1, lineWidth)
        switch dash {
        case .solid: return nil
        case .dashed: return "\(number(5 * w)) \(number(3 * w))"
        case .dotted: return "\(number(0.1)) \(number(2.6 * w))"
        case .dashDot: return "\(number(6 * w)) \(number(2.5 * w)) \(number(0.1)) \(number(2.5 * w))"
        }
    }

    /// Draws a marker symbol centred on (x, y).
    mutating func marker(_ marker: Marker, x: Double, y: Double, size: Double, color: String) {
        let r = size / 2
        switch marker {
        case .none: return
        case .circle:
            empty("circle", ["cx": SVGWriter.number(x), "cy": SVGWriter.number(y), "r": SVGWriter.number(r),
                             "fill": color, "stroke": "#ffffff", "stroke-width": "0.8"])
        case .square:
            empty("rect", ["x": SVGWriter.number(x - r * 0.9), "y": SVGWriter.number(y - r * 0.9),
                           "width": SVGWriter.number(r * 1.8), "height": SVGWriter.number(r * 1.8),
                           "fill": color, "stroke": "#ffffff", "stroke-width": "0.8"])
        case .diamond:
            let d = r * 1.25
            let points = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
            empty("polygon", ["points": points.map { "\(SVGWriter.number($0.0)),\(SVGWriter.number($0.1))" }.joined(separator: " "),
                              "fill": color, "stroke": "#ffffff", "stroke-width": "0.8"])
        case .triangle:
            let d = r * 1.25
            let points = [(x, y - d), (x + d, y + d * 0.8), (x - d, y + d * 0.8)]
            empty("polygon", ["points": points.map { "\(SVGWriter.number($0.0)),\(SVGWriter.number($0.1))" }.joined(separator: " "),
                              "fill": color, "stroke": "#ffffff", "stroke-width": "0.8"])
        case .cross:
            let d = r * 0.95
            empty("path", ["d": "M\(SVGWriter.number(x - d)) \(SVGWriter.number(y - d)) L\(SVGWriter.number(x + d)) \(SVGWriter.number(y + d)) M\(SVGWriter.number(x - d)) \(SVGWriter.number(y + d)) L\(SVGWriter.number(x + d)) \(SVGWriter.number(y - d))",
                           "stroke": color, "stroke-width": "1.8", "fill": "none"])
        }
    }
}

/// A point in pixel space.
struct Point: Sendable, Equatable {
    var x: Double
    var y: Double
}

/// An axis-aligned rectangle in pixel space.
struct Rect: Sendable, Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    func contains(_ p: Point) -> Bool { p.x >= x && p.x <= maxX && p.y >= y && p.y <= maxY }
    func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

enum Geometry {
    /// Liang–Barsky: the part of segment a→b inside `rect`, or nil.
    static func clip(_ a: Point, _ b: Point, to rect: Rect) -> (Point, Point)? {
        var t0 = 0.0
        var t1 = 1.0
        let dx = b.x - a.x
        let dy = b.y - a.y
        let checks: [(Double, Double)] = [(-dx, a.x - rect.x), (dx, rect.maxX - a.x), (-dy, a.y - rect.y), (dy, rect.maxY - a.y)]
        for (p, q) in checks {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let r = q / p
                if p < 0 {
                    if r > t1 { return nil }
                    if r > t0 { t0 = r }
                } else {
                    if r < t0 { return nil }
                    if r < t1 { t1 = r }
                }
            }
        }
        return (Point(x: a.x + t0 * dx, y: a.y + t0 * dy), Point(x: a.x + t1 * dx, y: a.y + t1 * dy))
    }

    /// Clips a polyline to `rect`, splitting it into runs where it leaves the rectangle.
    static func clip(polyline: [Point], to rect: Rect) -> [[Point]] {
        if polyline.count == 1 {
            return rect.contains(polyline[0]) ? [polyline] : []
        }
        var runs: [[Point]] = []
        var current: [Point] = []
        for i in 1..<polyline.count {
            guard let (p, q) = clip(polyline[i - 1], polyline[i], to: rect) else {
                if !current.isEmpty { runs.append(current); current = [] }
                continue
            }
            if let last = current.last, abs(last.x - p.x) < 1e-6, abs(last.y - p.y) < 1e-6 {
                current.append(q)
            } else {
                if !current.isEmpty { runs.append(current) }
                current = [p, q]
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// Reduces a long polyline to at most ~4 points per pixel column (first, min, max, last
    /// of each column, in order), which draws identically to the full line.
    static func decimate(_ points: [Point], maxPoints: Int) -> [Point] {
        guard points.count > maxPoints, points.count > 4 else { return points }
        var result: [Point] = []
        result.reserveCapacity(maxPoints)
        var bucket: [Point] = []
        var column = points[0].x.rounded(.down)
        func flush() {
            guard !bucket.isEmpty else { return }
            var lowIndex = 0, highIndex = 0
            for (i, p) in bucket.enumerated() {
                if p.y < bucket[lowIndex].y { lowIndex = i }
                if p.y > bucket[highIndex].y { highIndex = i }
            }
            var picks = [0, lowIndex, highIndex, bucket.count - 1]
            picks.sort()
            var previous = -1
            for i in picks where i != previous {
                result.append(bucket[i])
                previous = i
            }
            bucket.removeAll(keepingCapacity: true)
        }
        for p in points {
            let c = p.x.rounded(.down)
            if c != column { flush(); column = c }
            bucket.append(p)
        }
        flush()
        return result
    }
}
