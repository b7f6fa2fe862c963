import Foundation

/// A ``DataTable`` rendered as text for the terminal, with aligned columns.
///
/// ```
/// ┌──────────┬───────────┬──────────┐
/// │ optimizer│ train acc │ test acc │
/// ├──────────┼───────────┼──────────┤
/// │ SGD      │     0.912 │    0.905 │
/// └──────────┴───────────┴──────────┘
/// ```
///
/// Widths count terminal columns, so Japanese labels (two columns per character) and
/// ANSI colour codes line up; values wider than ``maxColumnWidth`` are cut with `…`.
public struct TerminalTable: Sendable {
    /// The border style.
    public enum Style: Sendable, Hashable {
        /// Unicode box drawing (`┌─┬─┐ │ ├─┼─┤ └─┴─┘`).
        case unicode
        /// `+---+` and `|` only, for logs that must stay ASCII.
        case ascii
        /// No borders: columns separated by two spaces, a `─` rule under the header.
        case plain
        /// A GitHub-flavoured Markdown table (alignment colons included).
        case markdown
    }

    /// The table.
    public var table: DataTable
    /// The border style.
    public var style: Style
    /// Colour emphasised cells and rows (red, green, amber) and bold the header with ANSI codes.
    public var colorEnabled: Bool
    /// Cut cells wider than this many columns (nil: never cut).
    public var maxColumnWidth: Int?

    /// A terminal table of `table`.
    public init(_ table: DataTable, style: Style = .unicode, colorEnabled: Bool = false, maxColumnWidth: Int? = nil) {
        self.table = table
        self.style = style
        self.colorEnabled = colorEnabled
        self.maxColumnWidth = maxColumnWidth
    }

    /// A terminal table from plain strings.
    public init(header: [String], rows: [[String]], alignments: [ColumnAlignment] = [], style: Style = .unicode,
                colorEnabled: Bool = false, maxColumnWidth: Int? = nil) {
        self.init(DataTable(header: header, rows: rows, alignments: alignments), style: style,
                  colorEnabled: colorEnabled, maxColumnWidth: maxColumnWidth)
    }

    /// The table as lines of text (no trailing newline on each).
    public func lines() -> [String] {
        let columns = table.columnCount
        guard columns > 0 else { return [] }
        let alignments = (0..<columns).map { table.alignment(ofColumn: $0) }
        func fit(_ text: String) -> String {
            let single = text.replacingOccurrences(of: "\n", with: " ")
            guard let limit = maxColumnWidth else { return single }
            return TextMetrics.truncate(single, toDisplayWidth: max(1, limit))
        }
        let header = (0..<columns).map { fit($0 < table.header.count ? table.header[$0] : "") }
        let body = table.rows.indices.map { r in (0..<columns).map { fit(table.cell(row: r, column: $0).text) } }
        var widths = header.map(TextMetrics.displayWidth)
        for row in body {
            for (c, text) in row.enumerated() { widths[c] = max(widths[c], TextMetrics.displayWidth(text)) }
        }
        if style == .markdown { widths = widths.map { max($0, 3) } }

        func paint(_ text: String, _ emphasis: Emphasis) -> String {
            guard colorEnabled, let code = ANSI.code(for: emphasis) else { return text }
            return code + text + ANSI.reset
        }
        func formatRow(_ cells: [String], emphases: [Emphasis], isHeader: Bool) -> String {
            let padded = cells.enumerated().map { c, text -> String in
                let alignment: ColumnAlignment = isHeader && style != .markdown ? (alignments[c] == .right ? .right : .left) : alignments[c]
                let p = TextMetrics.pad(text, to: widths[c], alignment: alignment)
                if isHeader && colorEnabled { return ANSI.bold + p + ANSI.reset }
                return paint(p, emphases[c])
            }
            switch style {
            case .unicode: return "│ " + padded.joined(separator: " │ ") + " │"
            case .ascii, .markdown: return "| " + padded.joined(separator: " | ") + " |"
            case .plain: return padded.joined(separator: "  ")
            }
        }
        func rule(_ left: String, _ fill: String, _ mid: String, _ right: String) -> String {
            left + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: mid) + right
        }

        var out: [String] = []
        if let caption = table.caption, !caption.isEmpty {
            out.append(style == .markdown ? "**\(caption)**" : caption)
            if style == .markdown { out.append("") }
        }
        let noEmphasis = [Emphasis](repeating: .none, count: columns)
        switch style {
        case .unicode:
            out.append(rule("┌", "─", "┬", "┐"))
            out.append(formatRow(header, emphases: noEmphasis, isHeader: true))
            out.append(rule("├", "─", "┼", "┤"))
        case .ascii:
            out.append(rule("+", "-", "+", "+"))
            out.append(formatRow(header, emphases: noEmphasis, isHeader: true))
            out.append(rule("+", "=", "+", "+"))
        case .plain:
            out.append(formatRow(header, emphases: noEmphasis, isHeader: true))
            let total = widths.reduce(0, +) + 2 * max(0, columns - 1)
            out.append(String(repeating: "─", count: total))
        case .markdown:
            out.append(formatRow(header, emphases: noEmphasis, isHeader: true))
            out.append("|" + (0..<columns).map { c -> String in
                let dashes = String(repeating: "-", count: widths[c])
                switch alignments[c] {
                case .right: return " " + dashes.dropLast() + ": "
                case .center: return " :" + dashes.dropFirst().dropLast() + ": "
                case .left, .automatic: return " " + dashes + " "
                }
            }.joined(separator: "|") + "|")
        }
        for (r, row) in body.enumerated() {
            let rowEmphasis = table.rows[r].emphasis
            let emphases = (0..<columns).map { c -> Emphasis in
                let cellEmphasis = table.cell(row: r, column: c).emphasis
                return cellEmphasis == .none ? rowEmphasis : cellEmphasis
            }
            out.append(formatRow(row, emphases: emphases, isHeader: false))
        }
        switch style {
        case .unicode: out.append(rule("└", "─", "┴", "┘"))
        case .ascii: out.append(rule("+", "-", "+", "+"))
        case .plain, .markdown: break
        }
        return out
    }

    /// The table as one string, lines joined with `\n`.
    public func render() -> String {
        lines().joined(separator: "\n")
    }
}

/// ANSI SGR escape codes.
enum ANSI {
    static let reset = "\u{1B}[0m"
    static let bold = "\u{1B}[1m"
    static let dim = "\u{1B}[2m"

    static func code(for emphasis: Emphasis) -> String? {
        switch emphasis {
        case .none: return nil
        case .good: return "\u{1B}[32m"
        case .bad: return "\u{1B}[31m"
        case .warning: return "\u{1B}[33m"
        case .strong: return bold
        }
    }

    /// Foreground colours for series, in palette order (blue, yellow≈orange, red, cyan, green, magenta).
    static let seriesColors = ["\u{1B}[34m", "\u{1B}[33m", "\u{1B}[31m", "\u{1B}[36m", "\u{1B}[32m", "\u{1B}[35m"]
}
