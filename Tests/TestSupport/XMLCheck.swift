import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses `text` as XML and returns the parser's error, or nil when it is well-formed.
public func xmlError(_ text: String) -> String? {
    final class Delegate: NSObject, XMLParserDelegate {
        var error: String?
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            error = "line \(parser.lineNumber): \(parseError)"
        }
    }
    // HTML5's doctype is not XML; everything after it must be.
    let body = text.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
    let parser = XMLParser(data: Data(body.utf8))
    let delegate = Delegate()
    parser.delegate = delegate
    return parser.parse() ? nil : (delegate.error ?? "unknown XML error")
}
