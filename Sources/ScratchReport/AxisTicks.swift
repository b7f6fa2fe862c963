import Foundation

/// How values map onto an axis.
public enum AxisScale: Sendable, Hashable {
    /// Evenly spaced values.
    case linear
    /// Base-10 logarithmic; non-positive values cannot be shown and are skipped.
    case logarithmic
}

/// The extent of an axis.
public enum AxisRange: Sendable, Hashable {
    /// Fitted to the data and widened to round tick values.
    case automatic
    /// Exactly this range, e.g. `0...1` for accuracy; data outside it is clipped.
    case fixed(ClosedRange<Double>)
}

/// Tick positions and their labels for one axis, chosen to be "nice"
/// (multiples of 1, 2 or 5 times a power of ten, or powers of ten on a log axis).
public struct AxisTicks: Sendable, Equatable {
    /// Tick values in increasing order.
    public var values: [Double]
    /// One label per value, formatted consistently (`0.0, 0.2, …`, `0, 500, 1000`, `1e-6, 1e-4`).
    public var labels: [String]
    /// The axis extent the ticks were chosen for (wider than the data when it was rounded out).
    public var range: ClosedRange<Double>

    /// Nice linear ticks covering `range`: at most `targetCount + 1` of them, at multiples of 1, 2 or 5 × 10ⁿ.
    ///
    /// With `expand` the range grows to the enclosing tick values (`0.13...0.97` → `0...1`);
    /// without it the range is kept and only ticks inside it are returned.
    public static func linear(covering range: ClosedRange<Double>, targetCount: Int = 6, expand: Bool = true) -> AxisTicks {
        var lo = range.lowerBound.isFinite ? range.lowerBound : 0
        var hi = range.upperBound.isFinite ? range.upperBound : 1
        if hi < lo { swap(&lo, &hi) }
        // Keep the span representable (1e308 - -1e308 overflows).
        lo = max(-1e307, min(1e307, lo))
        hi = max(-1e307, min(1e307, hi))
        if hi - lo <= abs(hi) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let target = max(2, targetCount)
        let step = niceStep(low: lo, high: hi, target: target)
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        var values: [Double] = []
        let lowIndex = expand ? first : (lo / step - 1e-9).rounded(.up)
        let highIndex = expand ? last : (hi / step + 1e-9).rounded(.down)
        var k = lowIndex
        while k <= highIndex && values.count < 1000 {
            values.append(clean(k * step, step: step))
            k += 1
        }
        let low = expand ? first * step : lo, high = expand ? last * step : hi
        let axisRange = low.isFinite && high.isFinite && low < high ? low...high : lo...max(hi, lo + 1)
        return AxisTicks(values: values, labels: linearLabels(values, step: step), range: axisRange)
    }

    /// Powers-of-ten ticks covering `range` (both bounds must be positive; non-positive
    /// bounds are replaced by a default decade range).
    ///
    /// When the range spans more decades than `targetCount` allows, every second (third, …)
    /// power is used — `1e-8, 1e-6, 1e-4, 1e-2, 1e0`. With `expand` the range grows to whole
    /// decades. A range too narrow to hold two powers of ten also gets 2× and 5× ticks.
    public static func logarithmic(covering range: ClosedRange<Double>, targetCount: Int = 6, expand: Bool = true) -> AxisTicks {
        var lo = range.lowerBound
        var hi = range.upperBound
        if !(lo > 0 && lo.isFinite) { lo = hi > 0 && hi.isFinite ? hi / 100 : 0.01 }
        if !(hi > 0 && hi.isFinite) { hi = lo * 100 }
        if hi < lo { swap(&lo, &hi) }
        if hi / lo < 1 + 1e-9 { lo /= 10; hi *= 10 }
        var loExp = log10(lo)
        var hiExp = log10(hi)
        if expand {
            loExp = (loExp + 1e-9).rounded(.down)
            hiExp = (hiExp - 1e-9).rounded(.up)
            if hiExp <= loExp { hiExp = loExp + 1 }
        }
        let firstPower = Int((loExp - 1e-9).rounded(.up))
        let lastPower = Int((hiExp + 1e-9).rounded(.down))
        let decades = max(0, lastPower - firstPower)
        let stride = max(1, Int((Double(decades) / Double(max(1, targetCount - 1))).rounded(.up)))
        var exponents: [Int] = []
        if firstPower <= lastPower {
            for e in firstPower...lastPower where e.isMultiple(of: stride) { exponents.append(e) }
        }
        let axisRange = pow(10, loExp)...pow(10, hiExp)
        if exponents.count >= 2 {
            let values = exponents.map { pow(10, Double($0)) }
            let useScientific = exponents.contains { $0 < -3 || $0 > 4 }
            let labels = exponents.map { e in
                useScientific ? "1e\(e)" : NumberFormatting.fixed(pow(10, Double(e)), decimals: max(0, -e))
            }
            return AxisTicks(values: values, labels: labels, range: axisRange)
        }
        // Narrow range: 1, 2, 5 multiples of each decade inside it.
        var values: [Double] = []
        let startDecade = Int(loExp.rounded(.down))
        let endDecade = Int(hiExp.rounded(.up))
        for decade in startDecade...max(startDecade, endDecade) {
            for mantissa in [1.0, 2.0, 5.0] {
                let v = mantissa * pow(10, Double(decade))
                if v >= axisRange.lowerBound * (1 - 1e-9) && v <= axisRange.upperBound * (1 + 1e-9) { values.append(v) }
            }
        }
        let labels = values.map { NumberFormatting.compact($0, significantDigits: 2) }
        return AxisTicks(values: values, labels: labels, range: axisRange)
    }

    /// Ticks for `range` on the given scale.
    public static func make(scale: AxisScale, covering range: ClosedRange<Double>, targetCount: Int, expand: Bool) -> AxisTicks {
        switch scale {
        case .linear: return linear(covering: range, targetCount: targetCount, expand: expand)
        case .logarithmic: return logarithmic(covering: range, targetCount: targetCount, expand: expand)
        }
    }

    /// The smallest step of the form {1, 2, 5} × 10ⁿ that covers `low...high` in at most
    /// `target` intervals (so at most `target + 1` ticks).
    static func niceStep(low: Double, high: Double, target: Int) -> Double {
        let span = high - low
        let power = pow(10, floor(log10(span / Double(max(1, target)))))
        for exponent in 0...2 {
            for mantissa in [1.0, 2.0, 5.0] {
                let step = mantissa * power * pow(10, Double(exponent))
                let intervals = (high / step - 1e-9).rounded(.up) - (low / step + 1e-9).rounded(.down)
                if intervals <= Double(max(1, target)) { return step }
            }
        }
        return span
    }

    /// Removes floating-point noise such as `0.30000000000000004`.
    private static func clean(_ value: Double, step: Double) -> Double {
        let decimals = decimalsNeeded(for: step)
        let scale = pow(10, Double(min(decimals, 15)))
        let rounded = (value * scale).rounded() / scale
        return rounded == 0 ? 0 : rounded
    }

    /// Digits after the point needed to print multiples of `step` exactly.
    static func decimalsNeeded(for step: Double) -> Int {
        for d in 0...12 {
            let scaled = step * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { return d }
        }
        return 12
    }

    private static func linearLabels(_ values: [Double], step: Double) -> [String] {
        let largest = values.map(abs).max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-4) || step < 1e-5 {
            return values.map { $0 == 0 ? "0" : NumberFormatting.scientific($0, significantDigits: 3) }
        }
        let decimals = decimalsNeeded(for: step)
        return values.map { NumberFormatting.fixed($0, decimals: decimals) }
    }
}

/// Maps data values to pixel coordinates along one axis.
struct ScaleMap: Sendable {
    let scale: AxisScale
    let domainLow: Double   // in transformed units (log10 for logarithmic)
    let domainHigh: Double
    let pixelStart: Double  // pixel for domainLow
    let pixelEnd: Double    // pixel for domainHigh

    init(scale: AxisScale, domain: ClosedRange<Double>, pixels: (Double, Double)) {
        self.scale = scale
        switch scale {
        case .linear:
            domainLow = domain.lowerBound
            domainHigh = domain.upperBound
        case .logarithmic:
            domainLow = log10(domain.lowerBound)
            domainHigh = log10(domain.upperBound)
        }
        pixelStart = pixels.0
        pixelEnd = pixels.1
    }

    /// Whether `value` can be placed on this axis at all (finite; positive on a log axis).
    func canShow(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        return scale == .linear || value > 0
    }

    /// The pixel of `value`, or nil when it cannot be shown. Values outside the domain map
    /// outside the pixel range (callers clip).
    func pixel(_ value: Double) -> Double? {
        guard canShow(value) else { return nil }
        let t = scale == .linear ? value : log10(value)
        let span = domainHigh - domainLow
        let fraction = span == 0 ? 0.5 : (t - domainLow) / span
        let pixel = pixelStart + fraction * (pixelEnd - pixelStart)
        // Far-off values (1e300 on a 0...1 axis) stay finite so clipping stays exact.
        guard pixel.isFinite else { return fraction.isNaN ? nil : (pixel > 0 ? 1e7 : -1e7) }
        return min(1e7, max(-1e7, pixel))
    }
}
