/// Approximate text measurement: pixel widths for SVG layout (no font metrics are
/// available offline, so widths are estimated per character class) and column
/// widths for terminals (East Asian wide characters take two columns, combining
/// marks and ANSI escape sequences none).
enum TextMetrics {
    /// Estimated width in pixels of `text` in a proportional sans-serif font of `fontSize` pixels.
    /// Calibrated on DejaVu Sans (the widest common fallback, measured in Chromium), so that
    /// layout errs on the side of room rather than overlap with narrower system fonts.
    static func width(_ text: String, fontSize: Double) -> Double {
        var em = 0.0
        for scalar in text.unicodeScalars {
            em += emWidth(scalar)
        }
        return em * fontSize
    }

    private static func emWidth(_ scalar: Unicode.Scalar) -> Double {
        switch scalar {
        case "i", "j", "l", ".", ",", ":", ";", "|", "!", "'", "`", "I": return 0.28
        case " ", "f", "t", "r", "(", ")", "[", "]", "{", "}", "/", "\\", "-": return 0.36
        case "m", "w", "M", "W", "@", "%": return 0.88
        case "0"..."9": return 0.64
        case "A"..."Z": return 0.70
        case "a"..."z": return 0.58
        default:
            if isCombining(scalar) { return 0 }
            if isWide(scalar) { return 1.0 }
            return 0.62
        }
    }

    /// The number of terminal columns `text` occupies.
    static func displayWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                // CSI sequences end with a byte in 0x40...0x7E (after the opening '[').
                if scalar.value >= 0x40 && scalar.value <= 0x7E && scalar != "[" { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" { inEscape = true; continue }
            if scalar.value < 0x20 || scalar.value == 0x7F { continue }
            if isCombining(scalar) { continue }
            width += isWide(scalar) ? 2 : 1
        }
        return width
    }

    /// `text` cut to at most `maxWidth` terminal columns, ending in `…` when cut.
    static func truncate(_ text: String, toDisplayWidth maxWidth: Int) -> String {
        guard displayWidth(text) > maxWidth else { return text }
        guard maxWidth > 1 else { return maxWidth == 1 ? "…" : "" }
        var out = ""
        var used = 0
        for character in text {
            let w = displayWidth(String(character))
            if used + w > maxWidth - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// `text` padded with spaces to `width` columns according to `alignment`.
    static func pad(_ text: String, to width: Int, alignment: ColumnAlignment) -> String {
        let missing = max(0, width - displayWidth(text))
        switch alignment {
        case .right: return String(repeating: " ", count: missing) + text
        case .center:
            let left = missing / 2
            return String(repeating: " ", count: left) + text + String(repeating: " ", count: missing - left)
        case .left, .automatic: return text + String(repeating: " ", count: missing)
        }
    }

    static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return true
        default: break
        }
        switch scalar.value {
        case 0x200B...0x200F, 0xFE00...0xFE0F, 0x2060: return true
        default: return false
        }
    }

    /// East Asian Wide / Fullwidth ranges and emoji presentation blocks.
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
             0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF,
             0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
