import Foundation

/// Counts of values in consecutive bins, as NumPy's `histogram` returns them.
///
/// Bin `i` covers `[edges[i], edges[i+1])`; the last bin also includes its right edge.
public struct HistogramBins: Sendable, Hashable {
    /// `counts.count + 1` increasing bin edges.
    public let edges: [Double]
    /// The count (or weight) in each bin.
    public let counts: [Double]

    /// Bins from explicit edges and counts.
    ///
    /// - Throws: ``ReportError/invalidHistogram(_:)`` when there is not exactly one more edge
    ///   than counts, an edge is not finite, or the edges do not increase.
    public init(edges: [Double], counts: [Double]) throws {
        guard !counts.isEmpty, edges.count == counts.count + 1 else {
            throw ReportError.invalidHistogram("expected \(counts.count + 1) edges for \(counts.count) counts, got \(edges.count)")
        }
        guard edges.allSatisfy(\.isFinite) else { throw ReportError.invalidHistogram("edges must be finite") }
        for i in 1..<edges.count where !(edges[i] > edges[i - 1]) {
            throw ReportError.invalidHistogram("edges must increase (edge \(i): \(edges[i]) after \(edges[i - 1]))")
        }
        self.edges = edges
        self.counts = counts
    }

    /// Bins `values` into `binCount` equal-width bins over `range` (default: the finite
    /// values' minimum to maximum). NaN and ±∞ are ignored, as are values outside an explicit
    /// range; a `binCount` below 1 is treated as 1. When all values are equal the range
    /// becomes `v-0.5 ... v+0.5`, as in NumPy.
    public init(values: [Double], binCount: Int, range: ClosedRange<Double>? = nil) {
        let bins = max(1, binCount)
        let finite = values.filter(\.isFinite)
        var lo = range?.lowerBound ?? finite.min() ?? 0
        var hi = range?.upperBound ?? finite.max() ?? 1
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if hi <= lo { lo -= 0.5; hi = lo + 1 }
        let width = hi / Double(bins) - lo / Double(bins) // no overflow even for ±1e308
        var edges = (0...bins).map { i -> Double in
            let t = Double(i) / Double(bins)
            return lo * (1 - t) + hi * t // each term bounded, so no overflow
        }
        edges[bins] = hi
        var counts = [Double](repeating: 0, count: bins)
        for v in finite where v >= lo && v <= hi {
            let position = ((v - lo) / width).rounded(.down)
            var index = position.isFinite ? Int(min(max(position, 0), Double(bins - 1))) : bins - 1
            // Guard against rounding putting a value just past an edge.
            while index > 0 && v < edges[index] { index -= 1 }
            while index < bins - 1 && v >= edges[index + 1] { index += 1 }
            counts[index] += 1
        }
        self.edges = edges
        self.counts = counts
    }

    /// The sum of all counts.
    public var total: Double { counts.reduce(0, +) }

    /// The bins with counts divided by the total, so they sum to 1 (unchanged when empty).
    public func normalized() -> HistogramBins {
        let t = total
        guard t > 0 else { return self }
        return HistogramBins(unchecked: edges, counts.map { $0 / t })
    }

    private init(unchecked edges: [Double], _ counts: [Double]) {
        self.edges = edges
        self.counts = counts
    }
}

/// Errors from building report inputs or writing report files.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Histogram edges and counts do not fit together.
    case invalidHistogram(String)
    /// An image's pixel count is not width × height.
    case pixelCountMismatch(width: Int, height: Int, count: Int)
    /// A width or height that is not positive.
    case invalidDimensions(width: Int, height: Int)
    /// A file name that is empty, contains a path separator, or is `.`/`..`.
    case invalidFileName(String)
    /// Writing or renaming a file failed.
    case writeFailed(path: String, reason: String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .invalidHistogram(let why): return "invalid histogram: \(why)"
        case .pixelCountMismatch(let w, let h, let n): return "image of \(w)×\(h) needs \(w * h) pixels, got \(n)"
        case .invalidDimensions(let w, let h): return "invalid image size \(w)×\(h)"
        case .invalidFileName(let name): return "invalid file name '\(name)'"
        case .writeFailed(let path, let reason): return "could not write \(path): \(reason)"
        }
    }
}
