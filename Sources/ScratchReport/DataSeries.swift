/// One (x, y) data point.
public struct ChartPoint: Sendable, Hashable {
    /// Horizontal value (iteration, epoch, regularization strength, …).
    public var x: Double
    /// Vertical value (accuracy, loss, gradient norm, …).
    public var y: Double

    /// A point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// The stroke pattern of a line.
public enum LineDash: Sendable, Hashable, CaseIterable {
    /// A continuous line.
    case solid
    /// Long dashes (the course's test-set curves).
    case dashed
    /// Round dots.
    case dotted
    /// Dash, dot, dash.
    case dashDot
}

/// A symbol drawn on data points.
public enum Marker: Sendable, Hashable, CaseIterable {
    /// No symbol.
    case none
    /// ●
    case circle
    /// ■
    case square
    /// ◆
    case diamond
    /// ▲
    case triangle
    /// ✕
    case cross
}

/// A named line of data for ``LineChart`` and ``TerminalChart``.
///
/// Non-finite points (NaN, ±∞ — a diverged run) are kept in the data but never drawn:
/// the line breaks there.
public struct DataSeries: Sendable, Hashable {
    /// The legend entry; an empty name leaves the series out of the legend.
    public var name: String
    /// The points in drawing order.
    public var points: [ChartPoint]
    /// The stroke pattern.
    public var dash: LineDash
    /// An optional symbol on the points (at most ~15 are drawn on long series).
    public var marker: Marker
    /// A fixed colour; nil takes the chart palette's colour for this series' position.
    public var color: RGBColor?
    /// Stroke width in pixels.
    public var lineWidth: Double

    /// A series from explicit points.
    public init(name: String, points: [ChartPoint], dash: LineDash = .solid, marker: Marker = .none,
                color: RGBColor? = nil, lineWidth: Double = 2) {
        self.name = name
        self.points = points
        self.dash = dash
        self.marker = marker
        self.color = color
        self.lineWidth = lineWidth
    }

    /// A series from parallel x and y arrays (the shorter length wins).
    public init(name: String, x: [Double], y: [Double], dash: LineDash = .solid, marker: Marker = .none,
                color: RGBColor? = nil, lineWidth: Double = 2) {
        self.init(name: name, points: zip(x, y).map { ChartPoint(x: $0, y: $1) }, dash: dash, marker: marker,
                  color: color, lineWidth: lineWidth)
    }

    /// A series of y values at x = `start`, `start + step`, … (e.g. one value per epoch).
    public init(name: String, y: [Double], start: Double = 0, step: Double = 1, dash: LineDash = .solid,
                marker: Marker = .none, color: RGBColor? = nil, lineWidth: Double = 2) {
        self.init(name: name, points: y.enumerated().map { ChartPoint(x: start + Double($0.offset) * step, y: $0.element) },
                  dash: dash, marker: marker, color: color, lineWidth: lineWidth)
    }

    /// The number of points that are not finite.
    public var nonFiniteCount: Int { points.reduce(0) { $0 + (($1.x.isFinite && $1.y.isFinite) ? 0 : 1) } }
}

/// Where a chart puts its legend.
public enum LegendPlacement: Sendable, Hashable {
    /// Inside the plot, in the corner that covers the least data; below the plot when every
    /// corner would hide part of a line.
    case automatic
    /// Inside, top left.
    case topLeft
    /// Inside, top right.
    case topRight
    /// Inside, bottom left.
    case bottomLeft
    /// Inside, bottom right.
    case bottomRight
    /// Outside, centred below the plot, wrapping into rows.
    case below
    /// Outside, right of the plot.
    case right
    /// No legend.
    case hidden
}

/// A straight guide line across a chart, e.g. chance level (y = 0.1) or the epoch where the
/// learning rate dropped.
public struct ReferenceLine: Sendable, Hashable {
    /// Horizontal or vertical.
    public enum Orientation: Sendable, Hashable {
        /// A line at a fixed y.
        case horizontal
        /// A line at a fixed x.
        case vertical
    }

    /// Horizontal or vertical.
    public var orientation: Orientation
    /// The y (horizontal) or x (vertical) value.
    public var value: Double
    /// A short label drawn next to the line.
    public var label: String?
    /// The line colour (defaults to a neutral grey).
    public var color: RGBColor

    /// A horizontal line at `y`.
    public static func horizontal(at y: Double, label: String? = nil, color: RGBColor = RGBColor(hex: 0x6E7781)) -> ReferenceLine {
        ReferenceLine(orientation: .horizontal, value: y, label: label, color: color)
    }

    /// A vertical line at `x`.
    public static func vertical(at x: Double, label: String? = nil, color: RGBColor = RGBColor(hex: 0x6E7781)) -> ReferenceLine {
        ReferenceLine(orientation: .vertical, value: x, label: label, color: color)
    }

    /// A reference line.
    public init(orientation: Orientation, value: Double, label: String? = nil, color: RGBColor = RGBColor(hex: 0x6E7781)) {
        self.orientation = orientation
        self.value = value
        self.label = label
        self.color = color
    }
}
