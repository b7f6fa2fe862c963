import Foundation

/// How a table column lines up its values.
public enum ColumnAlignment: Sendable, Hashable {
    /// Right for numeric columns (every non-blank cell parses as a number, `%` allowed), left otherwise.
    case automatic
    /// Flush left.
    case left
    /// Centred.
    case center
    /// Flush right (numbers).
    case right
}

/// A highlight for a table cell, a table row or an image caption.
public enum Emphasis: Sendable, Hashable {
    /// No highlight.
    case none
    /// Something that went well (best accuracy): green.
    case good
    /// Something that went wrong (a diverged run, a misclassified digit): red.
    case bad
    /// Worth a look (overfitting gap): amber.
    case warning
    /// Bold, without colour.
    case strong
}

/// A table of strings with a header — the summary table of an experiment.
///
/// The same value renders as an HTML table in an ``HTMLReport`` and as text with
/// ``TerminalTable``, so the terminal and the report show the same numbers.
///
/// ```swift
/// var table = DataTable(header: ["optimizer", "train acc", "test acc"])
/// table.addRow(["SGD", "0.912", "0.905"])
/// table.addRow(["AdaGrad (lr 10)", "NaN", "NaN"], emphasis: .bad)
/// ```
public struct DataTable: Sendable, Hashable {
    /// One cell: its text and an optional highlight.
    public struct Cell: Sendable, Hashable, ExpressibleByStringLiteral {
        /// The text shown.
        public var text: String
        /// The highlight of this cell (added to the row's).
        public var emphasis: Emphasis

        /// A cell.
        public init(_ text: String, emphasis: Emphasis = .none) {
            self.text = text
            self.emphasis = emphasis
        }

        /// A cell from a string literal.
        public init(stringLiteral value: String) {
            self.init(value)
        }

        /// A numeric cell formatted with `format` (locale-independent).
        public static func number(_ value: Double, format: ValueFormat = .automatic, emphasis: Emphasis = .none) -> Cell {
            Cell(NumberFormatting.format(value, format), emphasis: value.isFinite ? emphasis : (emphasis == .none ? .bad : emphasis))
        }
    }

    /// One row: cells and a highlight for the whole row.
    public struct Row: Sendable, Hashable {
        /// The cells, left to right (missing trailing cells render blank).
        public var cells: [Cell]
        /// A highlight for the whole row.
        public var emphasis: Emphasis

        /// A row.
        public init(cells: [Cell], emphasis: Emphasis = .none) {
            self.cells = cells
            self.emphasis = emphasis
        }
    }

    /// Column titles.
    public var header: [String]
    /// The rows.
    public var rows: [Row]
    /// Per-column alignment; missing entries are ``ColumnAlignment/automatic``.
    public var alignments: [ColumnAlignment]
    /// An optional caption (HTML) or title line (terminal).
    public var caption: String?

    /// A table from plain strings.
    public init(header: [String], rows: [[String]] = [], alignments: [ColumnAlignment] = [], caption: String? = nil) {
        self.header = header
        self.rows = rows.map { Row(cells: $0.map { Cell($0) }) }
        self.alignments = alignments
        self.caption = caption
    }

    /// A table from rows of cells.
    public init(header: [String], rows: [Row], alignments: [ColumnAlignment] = [], caption: String? = nil) {
        self.header = header
        self.rows = rows
        self.alignments = alignments
        self.caption = caption
    }

    /// Appends a row of cells.
    public mutating func addRow(_ cells: [Cell], emphasis: Emphasis = .none) {
        rows.append(Row(cells: cells, emphasis: emphasis))
    }

    /// Appends a row of plain strings.
    public mutating func addRow(_ texts: [String], emphasis: Emphasis = .none) {
        rows.append(Row(cells: texts.map { Cell($0) }, emphasis: emphasis))
    }

    /// The number of columns (the widest of the header and the rows).
    public var columnCount: Int {
        rows.reduce(header.count) { max($0, $1.cells.count) }
    }

    /// The cell at (row, column), blank when the row is short.
    public func cell(row: Int, column: Int) -> Cell {
        let cells = rows[row].cells
        return column < cells.count ? cells[column] : Cell("")
    }

    /// The effective alignment of `column`: the explicit one, or right for numeric columns.
    public func alignment(ofColumn column: Int) -> ColumnAlignment {
        if column < alignments.count, alignments[column] != .automatic { return alignments[column] }
        var sawNumber = false
        for row in rows.indices {
            let text = cell(row: row, column: column).text
            switch DataTable.classify(text) {
            case .number: sawNumber = true
            case .blank: continue
            case .text: return .left
            }
        }
        return sawNumber ? .right : .left
    }

    enum CellKind { case number, blank, text }

    /// Whether a cell's text reads as a number (`0.912`, `-1e-3`, `97.5%`, `1,024`, `NaN`, `∞`).
    static func classify(_ text: String) -> CellKind {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty || ["-", "—", "–", "n/a", "N/A"].contains(t) { return .blank }
        if t.hasSuffix("%") { t.removeLast() }
        t = t.replacingOccurrences(of: "−", with: "-").replacingOccurrences(of: ",", with: "")
        if t.hasPrefix("+") { t.removeFirst() }
        if ["∞", "-∞", "NaN", "nan", "inf", "-inf"].contains(t) { return .number }
        guard let first = t.first, first.isNumber || first == "-" || first == "." else { return .text }
        return Double(t) != nil ? .number : .text
    }
}
