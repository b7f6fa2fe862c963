import Foundation

/// A self-contained HTML report: one `index.html` with inline CSS and inline SVG figures,
/// readable offline (no scripts, no CDN, no remote fonts).
///
/// The output is well-formed XHTML-compatible HTML5 — every element closed, attributes
/// quoted, text escaped — so it also parses with an XML parser.
///
/// ```swift
/// var report = HTMLReport(title: "Optimizer comparison", subtitle: "MNIST, 2000 iterations")
/// var results = HTMLReport.Section("Results")
/// results.add(.table(summary))
/// results.add(.figures([HTMLReport.Figure(chart, caption: "SGD")]))
/// results.add(.bullets(["Adam and AdaGrad learn fastest."]))
/// report.add(results)
/// try ReportFile.writeAtomically(report.render(), to: folder.appendingPathComponent("index.html"))
/// ```
public struct HTMLReport: Sendable {
    /// An SVG figure with a caption.
    public struct Figure: Sendable {
        /// How much room a figure takes in a grid of figures.
        public enum Span: Sendable, Hashable {
            /// One grid cell (about half the page width).
            case normal
            /// The whole row.
            case wide
        }

        /// A complete `<svg>` element (as produced by the charts).
        public var svg: String
        /// Text under the figure.
        public var caption: String?
        /// Grid cell or whole row.
        public var span: Span

        /// A figure from SVG markup. The markup must be a well-formed `<svg>` element; an XML
        /// declaration or doctype in front of it is dropped.
        public init(svg: String, caption: String? = nil, span: Span = .normal) {
            self.svg = Figure.strippingProlog(svg)
            self.caption = caption
            self.span = span
        }

        /// A figure drawing `chart` at `width × height` (wide figures default to 1040 × 440).
        public init(_ chart: some SVGChart, caption: String? = nil, width: Double? = nil, height: Double? = nil,
                    span: Span = .normal) {
            let w = width ?? (span == .wide ? 1040 : 520)
            let h = height ?? (span == .wide ? 440 : 340)
            self.init(svg: chart.svg(width: w, height: h), caption: caption, span: span)
        }

        /// An image grid at its natural size.
        public init(_ grid: ImageGrid, caption: String? = nil, span: Span = .normal) {
            self.init(svg: grid.svg(), caption: caption, span: span)
        }

        static func strippingProlog(_ svg: String) -> String {
            guard let start = svg.range(of: "<svg") else { return svg }
            return String(svg[start.lowerBound...])
        }
    }

    /// A callout's tone.
    public enum NoteKind: Sendable, Hashable {
        /// Neutral information (blue).
        case info
        /// Something to be careful about (amber).
        case warning
    }

    /// One building block of a section.
    public enum Block: Sendable {
        /// A paragraph of plain text (escaped; line breaks kept).
        case paragraph(String)
        /// A smaller heading inside a section.
        case subheading(String)
        /// A two-column key–value table, e.g. the experiment's settings.
        case settings([(key: String, value: String)])
        /// A data table; numeric columns are right-aligned, emphasised cells coloured.
        case table(DataTable)
        /// One figure.
        case figure(Figure)
        /// Several figures in a responsive grid.
        case figures([Figure])
        /// A bulleted list, e.g. the conclusions.
        case bullets([String])
        /// A highlighted callout with an optional title.
        case note(String, title: String? = nil, kind: NoteKind = .info)
        /// Preformatted text, e.g. the command that reproduces the run or a terminal table.
        case preformatted(String)
    }

    /// A titled part of the report.
    public struct Section: Sendable {
        /// The `<h2>` heading.
        public var heading: String
        /// The content, in order.
        public var blocks: [Block]

        /// A section.
        public init(_ heading: String, blocks: [Block] = []) {
            self.heading = heading
            self.blocks = blocks
        }

        /// Appends a block.
        public mutating func add(_ block: Block) {
            blocks.append(block)
        }
    }

    /// The page title and `<h1>`.
    public var title: String
    /// A line under the title (dataset, date, seed, …).
    public var subtitle: String?
    /// The sections, in order.
    public var sections: [Section]
    /// The document language (`"en"`, `"ja"`).
    public var language: String
    /// Text for the page footer.
    public var footer: String?
    /// Show a table of contents when there are at least this many sections (nil: never).
    public var tableOfContentsThreshold: Int?

    /// An empty report.
    public init(title: String, subtitle: String? = nil, sections: [Section] = [], language: String = "en",
                footer: String? = "Generated by ScratchNet", tableOfContentsThreshold: Int? = 4) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.language = language
        self.footer = footer
        self.tableOfContentsThreshold = tableOfContentsThreshold
    }

    /// Appends a section.
    public mutating func add(_ section: Section) {
        sections.append(section)
    }

    /// The complete HTML document.
    public func render() -> String {
        var html = "<!DOCTYPE html>\n"
        html += "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"\(Escaping.xml(language))\">\n<head>\n"
        html += "<meta charset=\"utf-8\"/>\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        html += "<title>\(Escaping.xml(title))</title>\n"
        html += "<style>\n\(HTMLReport.stylesheet)</style>\n</head>\n<body>\n<main>\n"
        html += "<header class=\"report-header\">\n<h1>\(Escaping.xml(title))</h1>\n"
        if let subtitle, !subtitle.isEmpty { html += "<p class=\"subtitle\">\(Escaping.xml(subtitle))</p>\n" }
        html += "</header>\n"
        let ids = HTMLReport.sectionIDs(sections.map(\.heading))
        if let threshold = tableOfContentsThreshold, sections.count >= threshold {
            html += "<nav class=\"toc\"><ol>"
            for (section, id) in zip(sections, ids) {
                html += "<li><a href=\"#\(id)\">\(Escaping.xml(section.heading))</a></li>"
            }
            html += "</ol></nav>\n"
        }
        for (section, id) in zip(sections, ids) {
            html += "<section id=\"\(id)\">\n<h2>\(Escaping.xml(section.heading))</h2>\n"
            for block in section.blocks { html += HTMLReport.render(block) }
            html += "</section>\n"
        }
        html += "</main>\n"
        if let footer, !footer.isEmpty { html += "<footer>\(Escaping.xml(footer))</footer>\n" }
        html += "</body>\n</html>\n"
        return html
    }

    /// Unique, URL-safe anchor ids from headings (`"Weight decay (λ)"` → `weight-decay`).
    static func sectionIDs(_ headings: [String]) -> [String] {
        var used: Set<String> = []
        return headings.enumerated().map { index, heading in
            var slug = ""
            for scalar in heading.lowercased().unicodeScalars {
                if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                    slug.unicodeScalars.append(scalar)
                } else if !slug.isEmpty, slug.last != "-" {
                    slug += "-"
                }
            }
            while slug.hasSuffix("-") { slug.removeLast() }
            if slug.isEmpty { slug = "section-\(index + 1)" }
            var candidate = slug
            var n = 2
            while used.contains(candidate) {
                candidate = "\(slug)-\(n)"
                n += 1
            }
            used.insert(candidate)
            return candidate
        }
    }

    static func render(_ block: Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>" + Escaping.xml(text).replacingOccurrences(of: "\n", with: "<br/>") + "</p>\n"
        case .subheading(let text):
            return "<h3>\(Escaping.xml(text))</h3>\n"
        case .settings(let pairs):
            var html = "<dl class=\"settings\">"
            for pair in pairs {
                html += "<dt>\(Escaping.xml(pair.key))</dt><dd>\(Escaping.xml(pair.value))</dd>"
            }
            return html + "</dl>\n"
        case .table(let table):
            return renderTable(table)
        case .figure(let figure):
            return "<div class=\"figures single\">" + renderFigure(figure) + "</div>\n"
        case .figures(let figures):
            return "<div class=\"figures\">\n" + figures.map(renderFigure).joined() + "</div>\n"
        case .bullets(let items):
            return "<ul class=\"bullets\">" + items.map { "<li>\(Escaping.xml($0))</li>" }.joined() + "</ul>\n"
        case .note(let text, let title, let kind):
            let kindClass = kind == .warning ? "note warning" : "note"
            var html = "<aside class=\"\(kindClass)\">"
            if let title, !title.isEmpty { html += "<p class=\"note-title\">\(Escaping.xml(title))</p>" }
            html += "<p>" + Escaping.xml(text).replacingOccurrences(of: "\n", with: "<br/>") + "</p></aside>\n"
            return html
        case .preformatted(let text):
            return "<pre>\(Escaping.xml(text))</pre>\n"
        }
    }

    static func renderFigure(_ figure: Figure) -> String {
        var html = figure.span == .wide ? "<figure class=\"wide\">" : "<figure>"
        html += figure.svg
        if let caption = figure.caption, !caption.isEmpty {
            html += "<figcaption>\(Escaping.xml(caption))</figcaption>"
        }
        return html + "</figure>\n"
    }

    static func emphasisClass(_ emphasis: Emphasis) -> String? {
        switch emphasis {
        case .none: return nil
        case .good: return "good"
        case .bad: return "bad"
        case .warning: return "warn"
        case .strong: return "strong"
        }
    }

    static func renderTable(_ table: DataTable) -> String {
        let columns = table.columnCount
        let alignments = (0..<columns).map { table.alignment(ofColumn: $0) }
        func alignClass(_ a: ColumnAlignment) -> String? {
            switch a {
            case .right: return "num"
            case .center: return "center"
            case .left, .automatic: return nil
            }
        }
        func classAttribute(_ classes: [String?]) -> String {
            let list = classes.compactMap { $0 }
            return list.isEmpty ? "" : " class=\"\(list.joined(separator: " "))\""
        }
        var html = "<div class=\"table-wrap\"><table class=\"data\">"
        if let caption = table.caption, !caption.isEmpty { html += "<caption>\(Escaping.xml(caption))</caption>" }
        html += "<thead><tr>"
        for c in 0..<columns {
            let text = c < table.header.count ? table.header[c] : ""
            html += "<th scope=\"col\"\(classAttribute([alignClass(alignments[c])]))>\(Escaping.xml(text))</th>"
        }
        html += "</tr></thead><tbody>"
        for (r, row) in table.rows.enumerated() {
            html += "<tr\(classAttribute([emphasisClass(row.emphasis)]))>"
            for c in 0..<columns {
                let cell = table.cell(row: r, column: c)
                html += "<td\(classAttribute([alignClass(alignments[c]), emphasisClass(cell.emphasis)]))>\(Escaping.xml(cell.text))</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table></div>\n"
    }
}
