import Foundation

/// A grayscale image: `width × height` values, row-major (an MNIST digit, a 5 × 5 filter).
public struct GrayImage: Sendable, Hashable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `width * height` values, row by row; any scale (see ``ImageGrid/Normalization``).
    public let pixels: [Double]

    /// An image.
    ///
    /// - Throws: ``ReportError/invalidDimensions(width:height:)`` for a non-positive size,
    ///   ``ReportError/pixelCountMismatch(width:height:count:)`` when `pixels.count != width * height`.
    public init(width: Int, height: Int, pixels: [Double]) throws {
        guard width > 0, height > 0 else { throw ReportError.invalidDimensions(width: width, height: height) }
        guard pixels.count == width * height else {
            throw ReportError.pixelCountMismatch(width: width, height: height, count: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The finite minimum and maximum, or nil when no pixel is finite.
    var finiteExtent: (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for p in pixels where p.isFinite {
            lo = min(lo, p)
            hi = max(hi, p)
        }
        return lo <= hi ? (lo, hi) : nil
    }
}

/// A grid of grayscale images with optional captions, drawn as SVG — CNN filters,
/// sample digits, or misclassified digits captioned "pred 3 / true 5".
///
/// Each image is embedded as a tiny inline PNG (no external files) and scaled up with
/// `image-rendering: pixelated`, so pixels stay crisp squares.
///
/// ```swift
/// let grid = ImageGrid(title: "Misclassified", cells: wrong.map {
///     ImageGrid.Cell(image: $0.image, caption: "pred \($0.pred) / true \($0.label)", emphasis: .bad)
/// }, columns: 8)
/// let svg = grid.svg()   // natural size
/// ```
public struct ImageGrid: SVGChart, Sendable {
    /// How pixel values map to gray levels.
    public enum Normalization: Sendable, Hashable {
        /// Each image's own minimum is black and maximum white (good for filters).
        case perImage
        /// One minimum and maximum over all images, so they can be compared.
        case shared
        /// A fixed range, e.g. `0...1` for normalised digits or `0...255` for raw bytes.
        case fixed(ClosedRange<Double>)
    }

    /// The gray ramp.
    public enum ColorMap: Sendable, Hashable {
        /// Low values black, high values white.
        case gray
        /// Low values white, high values black (matplotlib's `gray_r`, the book's filter plots).
        case grayInverted
    }

    /// One image and its caption.
    public struct Cell: Sendable, Hashable {
        /// The image.
        public var image: GrayImage
        /// Text under the image.
        public var caption: String?
        /// Colours the caption and frame (``Emphasis/bad`` for a wrong prediction).
        public var emphasis: Emphasis

        /// A cell.
        public init(image: GrayImage, caption: String? = nil, emphasis: Emphasis = .none) {
            self.image = image
            self.caption = caption
            self.emphasis = emphasis
        }
    }

    /// An optional heading.
    public var title: String?
    /// The images, filled row by row.
    public var cells: [Cell]
    /// Images per row.
    public var columns: Int
    /// The drawn size of each image's longer side, in pixels.
    public var cellSize: Double
    /// Value-to-gray mapping.
    public var normalization: Normalization
    /// Gray ramp direction.
    public var colorMap: ColorMap

    /// A grid of captioned images.
    public init(title: String? = nil, cells: [Cell], columns: Int = 10, cellSize: Double = 56,
                normalization: Normalization = .perImage, colorMap: ColorMap = .gray) {
        self.title = title
        self.cells = cells
        self.columns = columns
        self.cellSize = cellSize
        self.normalization = normalization
        self.colorMap = colorMap
    }

    /// A grid of uncaptioned images.
    public init(title: String? = nil, images: [GrayImage], columns: Int = 10, cellSize: Double = 56,
                normalization: Normalization = .perImage, colorMap: ColorMap = .gray) {
        self.init(title: title, cells: images.map { Cell(image: $0) }, columns: columns, cellSize: cellSize,
                  normalization: normalization, colorMap: colorMap)
    }

    struct Metrics {
        var columns: Int
        var rows: Int
        var cellWidth: Double
        var cellHeight: Double
        var imageSize: Double
        var captionSize: Double
        var top: Double
        var width: Double
        var height: Double
    }

    private var metrics: Metrics {
        let cols = max(1, min(columns, max(1, cells.count)))
        let rows = max(1, (cells.count + cols - 1) / cols)
        let imageSize = max(4, cellSize.isFinite ? cellSize : 56)
        let captionSize = 11.0
        let hasCaptions = cells.contains { !($0.caption ?? "").isEmpty }
        let widestCaption = cells.compactMap { $0.caption }.map { TextMetrics.width($0, fontSize: captionSize) }.max() ?? 0
        let cellWidth = max(imageSize, min(widestCaption, imageSize * 2.6)) + 10
        let cellHeight = imageSize + (hasCaptions ? captionSize + 8 : 0) + 10
        let top: Double = (title ?? "").isEmpty ? 6 : 38
        let width = Double(cols) * cellWidth + 12
        let height = top + Double(rows) * cellHeight + 6
        return Metrics(columns: cols, rows: rows, cellWidth: cellWidth, cellHeight: cellHeight, imageSize: imageSize,
                       captionSize: captionSize, top: top, width: width, height: height)
    }

    /// The size at which the grid draws one screen pixel per SVG unit.
    public var naturalSize: (width: Double, height: Double) {
        let m = metrics
        return (m.width, m.height)
    }

    /// The grid at its natural size.
    public func svg() -> String {
        let size = naturalSize
        return svg(width: size.width, height: size.height)
    }

    /// The grid scaled to fit `width × height` (the aspect ratio is kept).
    public func svg(width: Double, height: Double) -> String {
        let m = metrics
        let name = (title ?? "").isEmpty ? "Image grid" : (title ?? "")
        var svg = SVGWriter(width: width, height: height, viewWidth: m.width, viewHeight: m.height, title: name)
        if let title, !title.isEmpty {
            ChartText.drawTitle(title, x: 12, maxWidth: m.width - 24, into: &svg)
        }
        if cells.isEmpty {
            svg.text("No images", x: m.width / 2, y: m.top + 20, size: 12, anchor: .middle, color: ChartStyle.mutedColor,
                     extra: ["class": "empty-note", "font-style": "italic"])
            return svg.finish()
        }
        let sharedRange = sharedExtent()
        for (i, cell) in cells.enumerated() {
            let col = i % m.columns
            let row = i / m.columns
            let cellX = 6 + Double(col) * m.cellWidth
            let cellY = m.top + Double(row) * m.cellHeight
            let image = cell.image
            let aspect = Double(image.width) / Double(image.height)
            let drawW = aspect >= 1 ? m.imageSize : m.imageSize * aspect
            let drawH = aspect >= 1 ? m.imageSize / aspect : m.imageSize
            let x = cellX + (m.cellWidth - drawW) / 2
            let y = cellY + 5 + (m.imageSize - drawH) / 2
            svg.open("g", ["class": "cell"])
            let bytes = grayBytes(image, sharedRange: sharedRange)
            if let uri = try? PNGEncoder.dataURI(width: image.width, height: image.height, pixels: bytes) {
                svg.empty("image", ["x": SVGWriter.number(x), "y": SVGWriter.number(y), "width": SVGWriter.number(drawW),
                                    "height": SVGWriter.number(drawH), "preserveAspectRatio": "none",
                                    "image-rendering": "optimizeSpeed", "style": "image-rendering:pixelated",
                                    "href": uri])
            }
            let frameColor: String
            switch cell.emphasis {
            case .bad: frameColor = ChartStyle.bad.hexString
            case .good: frameColor = ChartStyle.good.hexString
            case .warning: frameColor = ChartStyle.warning.hexString
            case .strong: frameColor = ChartStyle.textColor
            case .none: frameColor = "#d0d7de"
            }
            svg.empty("rect", ["x": SVGWriter.number(x - 0.5), "y": SVGWriter.number(y - 0.5),
                               "width": SVGWriter.number(drawW + 1), "height": SVGWriter.number(drawH + 1),
                               "fill": "none", "stroke": frameColor, "stroke-width": cell.emphasis == .none ? "1" : "1.5"])
            if let caption = cell.caption, !caption.isEmpty {
                let (text, size) = ChartText.fitted(caption, size: m.captionSize, minSize: 8, maxWidth: m.cellWidth - 4)
                let color = cell.emphasis == .none ? ChartStyle.textColor : frameColor
                svg.text(text, x: cellX + m.cellWidth / 2, y: cellY + 5 + m.imageSize + m.captionSize + 3, size: size,
                         anchor: .middle, color: color, extra: ["class": "caption"])
            }
            svg.close("g")
        }
        return svg.finish()
    }

    private func sharedExtent() -> (Double, Double)? {
        guard normalization == .shared else { return nil }
        var lo = Double.infinity, hi = -Double.infinity
        for cell in cells {
            if let (a, b) = cell.image.finiteExtent {
                lo = min(lo, a)
                hi = max(hi, b)
            }
        }
        return lo <= hi ? (lo, hi) : nil
    }

    /// The image's pixels mapped to 0...255 according to the normalization and colour map
    /// (non-finite pixels become mid-gray).
    func grayBytes(_ image: GrayImage, sharedRange: (Double, Double)?) -> [UInt8] {
        let range: (Double, Double)
        switch normalization {
        case .perImage: range = image.finiteExtent ?? (0, 1)
        case .shared: range = sharedRange ?? (0, 1)
        case .fixed(let r): range = (r.lowerBound, r.upperBound)
        }
        let span = range.1 - range.0
        return image.pixels.map { p in
            guard p.isFinite else { return 128 }
            var t = span > 0 ? (p - range.0) / span : 0.5
            t = min(1, max(0, t))
            if colorMap == .grayInverted { t = 1 - t }
            return UInt8((t * 255).rounded())
        }
    }
}
