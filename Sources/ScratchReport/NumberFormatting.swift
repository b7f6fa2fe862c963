import Foundation

/// Locale-independent number formatting for charts, tables and terminal output.
///
/// Always uses `.` as the decimal separator and no digit grouping, whatever the
/// user's locale, so reports are identical on every machine. Non-finite values
/// print as `NaN`, `∞` and `-∞`; a negative zero prints without its sign.
public enum NumberFormatting {
    /// `value` with exactly `decimals` digits after the point: `fixed(0.91234, decimals: 3)` → `"0.912"`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if let special = nonFinite(value) { return special }
        let digits = max(0, min(decimals, 17))
        let text = String(format: "%.\(digits)f", value)
        return removingNegativeZero(text)
    }

    /// A fraction as a percentage: `percent(0.9712)` → `"97.1%"`.
    public static func percent(_ fraction: Double, decimals: Int = 1) -> String {
        if let special = nonFinite(fraction) { return special }
        return fixed(fraction * 100, decimals: decimals) + "%"
    }

    /// A short form with about `significantDigits` significant digits, trailing zeros
    /// removed, and scientific notation (`1.5e-7`, `2.3e6`) for very small or large
    /// magnitudes: `compact(0.000123456)` → `"0.0001235"`, `compact(1e-7)` → `"1e-7"`.
    public static func compact(_ value: Double, significantDigits: Int = 4) -> String {
        if let special = nonFinite(value) { return special }
        if value == 0 { return "0" }
        let digits = max(1, min(significantDigits, 17))
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 {
            return scientific(value, significantDigits: digits)
        }
        let exponent = Int(floor(log10(magnitude)))
        let decimals = max(0, digits - 1 - exponent)
        return trimmingZeros(fixed(value, decimals: decimals))
    }

    /// Scientific notation with a short exponent: `scientific(0.00012)` → `"1.2e-4"`.
    public static func scientific(_ value: Double, significantDigits: Int = 3) -> String {
        if let special = nonFinite(value) { return special }
        if value == 0 { return "0" }
        let digits = max(1, min(significantDigits, 17))
        let text = String(format: "%.\(digits - 1)e", value)
        guard let eIndex = text.firstIndex(of: "e") else { return text }
        let mantissa = trimmingZeros(String(text[..<eIndex]))
        var exponent = String(text[text.index(after: eIndex)...])
        var sign = ""
        if exponent.hasPrefix("-") { sign = "-" }
        exponent = String(exponent.drop(while: { $0 == "+" || $0 == "-" }).drop(while: { $0 == "0" }))
        if exponent.isEmpty { return mantissa }
        return mantissa + "e" + sign + exponent
    }

    /// An integer with no grouping separators: `integer(60000)` → `"60000"`.
    public static func integer(_ value: Int) -> String { String(value) }

    /// Formats `value` the way `format` asks.
    public static func format(_ value: Double, _ format: ValueFormat) -> String {
        switch format {
        case .automatic: return compact(value)
        case .fixed(let decimals): return fixed(value, decimals: decimals)
        case .percent(let decimals): return percent(value, decimals: decimals)
        case .integer: return fixed(value.rounded(), decimals: 0)
        case .scientific(let digits): return scientific(value, significantDigits: digits)
        }
    }

    static func nonFinite(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "∞" }
        if value == -.infinity { return "-∞" }
        return nil
    }

    /// `"1.2500"` → `"1.25"`, `"3.000"` → `"3"`; strings without a point are unchanged.
    static func trimmingZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.last == "0" { result = result.dropLast() }
        if result.last == "." { result = result.dropLast() }
        return removingNegativeZero(String(result))
    }

    static func removingNegativeZero(_ text: String) -> String {
        guard text.hasPrefix("-") else { return text }
        if text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }
}

/// How a number is printed in a cell, a bar label or a heatmap.
public enum ValueFormat: Sendable, Hashable {
    /// About four significant digits, scientific for extreme magnitudes.
    case automatic
    /// A fixed number of decimals (`0.912`).
    case fixed(decimals: Int)
    /// A fraction shown as a percentage (`91.2%`).
    case percent(decimals: Int)
    /// Rounded to a whole number (`1135`).
    case integer
    /// Scientific notation with the given significant digits (`1.2e-4`).
    case scientific(significantDigits: Int)
}
