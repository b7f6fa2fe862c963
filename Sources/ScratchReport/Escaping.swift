/// The one place where text is made safe for XML, XHTML and SVG.
///
/// Every string that ScratchReport writes into markup — titles, labels, captions,
/// table cells, attribute values — goes through ``Escaping/xml(_:)``, so a series
/// called `loss < 1 & "ok"` cannot break a chart or a report.
public enum Escaping {
    /// Escapes `&`, `<`, `>`, `"` and `'` and replaces characters that XML 1.0 forbids
    /// (most C0 control characters, for instance an ANSI escape) with U+FFFD.
    ///
    /// The result is safe both as element text and inside a double- or single-quoted
    /// attribute value.
    ///
    /// ```swift
    /// Escaping.xml(#"a < b & "c""#)   // a &lt; b &amp; &quot;c&quot;
    /// ```
    public static func xml(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where scalar == "&" || scalar == "<" || scalar == ">"
            || scalar == "\"" || scalar == "'" || !isAllowedInXML(scalar) {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var out = String()
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isAllowedInXML(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out.unicodeScalars.append("\u{FFFD}")
                }
            }
        }
        return out
    }

    /// Whether `scalar` is a `Char` in the XML 1.0 grammar
    /// (`#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`).
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
