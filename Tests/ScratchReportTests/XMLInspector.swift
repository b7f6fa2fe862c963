import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// One parsed element: its name and attributes.
struct ParsedElement {
    var name: String
    var attributes: [String: String]
}

/// Parses markup with Foundation's XMLParser and records elements and text, so tests can
/// check well-formedness and count what was drawn.
final class XMLInspector: NSObject, XMLParserDelegate {
    private(set) var elements: [ParsedElement] = []
    private(set) var texts: [String] = []
    private var currentText = ""
    private(set) var parseError: String?

    /// Parses `markup`; returns nil (and records a test failure) when it is not well-formed XML.
    static func parse(_ markup: String, file: StaticString = #filePath, line: UInt = #line) -> XMLInspector? {
        let inspector = XMLInspector()
        let parser = XMLParser(data: Data(markup.utf8))
        parser.delegate = inspector
        let ok = parser.parse()
        if !ok {
            let error = parser.parserError.map { String(describing: $0) } ?? "unknown error"
            let context = "line \(parser.lineNumber), column \(parser.columnNumber)"
            XCTFail("not well-formed XML (\(context)): \(error)", file: file, line: line)
            return nil
        }
        return inspector
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        flushText()
        elements.append(ParsedElement(name: elementName, attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        flushText()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        currentText += string
    }

    private func flushText() {
        let trimmed = currentText.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { texts.append(trimmed) }
        currentText = ""
    }

    /// Elements named `name`, optionally only those whose `class` attribute contains `className`.
    func elements(named name: String, class className: String? = nil) -> [ParsedElement] {
        elements.filter { element in
            guard element.name == name else { return false }
            guard let className else { return true }
            return (element.attributes["class"] ?? "").split(separator: " ").contains(Substring(className))
        }
    }

    /// Whether some text node equals `text`.
    func hasText(_ text: String) -> Bool { texts.contains(text) }
}
