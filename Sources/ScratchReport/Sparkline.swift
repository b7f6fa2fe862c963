/// A one-line chart of a series in block characters: `▁▂▃▄▅▆▇█`.
///
/// ```swift
/// Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7])   // "▁▂▃▄▅▆▇█"
/// ```
public enum Sparkline {
    /// The eight levels, lowest first.
    public static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One character per value (or per bucket when `maxWidth` is smaller than the count; a
    /// bucket shows the mean of its finite values).
    ///
    /// Values are scaled to `range`, or to the finite minimum…maximum when nil; values outside
    /// the range are clamped; NaN and ±∞ print as a space; a constant series prints at mid level.
    public static func render(_ values: [Double], range: ClosedRange<Double>? = nil, maxWidth: Int? = nil) -> String {
        let series = resample(values, maxWidth: maxWidth)
        let finite = series.filter(\.isFinite)
        guard !finite.isEmpty else { return String(repeating: " ", count: series.count) }
        let lo = range?.lowerBound ?? (finite.min() ?? 0)
        let hi = range?.upperBound ?? (finite.max() ?? 1)
        var out = ""
        for v in series {
            guard v.isFinite else { out.append(" "); continue }
            guard hi > lo else { out.append(levels[3]); continue }
            let t = min(1, max(0, (v - lo) / (hi - lo)))
            out.append(levels[Int((t * Double(levels.count - 1)).rounded())])
        }
        return out
    }

    static func resample(_ values: [Double], maxWidth: Int?) -> [Double] {
        guard let width = maxWidth, width > 0, values.count > width else { return values }
        return (0..<width).map { bucket in
            let start = bucket * values.count / width
            let end = max(start + 1, (bucket + 1) * values.count / width)
            let finite = values[start..<end].filter(\.isFinite)
            return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        }
    }
}
