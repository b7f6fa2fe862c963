import XCTest
@testable import ScratchReport

final class EscapingAndFormattingTests: XCTestCase {
    func testEscapesMarkupCharacters() {
        XCTAssertEqual(Escaping.xml(#"a < b && c > "d" 'e'"#), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;")
        XCTAssertEqual(Escaping.xml("plain text 日本語"), "plain text 日本語")
    }

    func testReplacesCharactersXMLForbids() {
        XCTAssertEqual(Escaping.xml("a\u{1B}[31mb\u{0}"), "a\u{FFFD}[31mb\u{FFFD}")
        XCTAssertEqual(Escaping.xml("tab\tline\n"), "tab\tline\n")
    }

    func testEscapedTextRoundTripsThroughXMLParser() {
        let nasty = #"<script>alert("x") & 'y'</script>"#
        let markup = "<root a=\"\(Escaping.xml(nasty))\">\(Escaping.xml(nasty))</root>"
        guard let parsed = XMLInspector.parse(markup) else { return }
        XCTAssertEqual(parsed.elements.count, 1)
        XCTAssertEqual(parsed.elements[0].attributes["a"], nasty)
        XCTAssertEqual(parsed.texts, [nasty])
    }

    func testFixedAndPercent() {
        XCTAssertEqual(NumberFormatting.fixed(0.91234, decimals: 3), "0.912")
        XCTAssertEqual(NumberFormatting.fixed(-0.0001, decimals: 2), "0.00")
        XCTAssertEqual(NumberFormatting.fixed(1234567.5, decimals: 1), "1234567.5")
        XCTAssertEqual(NumberFormatting.percent(0.9712), "97.1%")
        XCTAssertEqual(NumberFormatting.fixed(.nan, decimals: 2), "NaN")
        XCTAssertEqual(NumberFormatting.fixed(-.infinity, decimals: 2), "-∞")
    }

    func testCompactAndScientific() {
        XCTAssertEqual(NumberFormatting.compact(0), "0")
        XCTAssertEqual(NumberFormatting.compact(2.5), "2.5")
        XCTAssertEqual(NumberFormatting.compact(0.000123456), "0.0001235")
        XCTAssertEqual(NumberFormatting.compact(1e-7), "1e-7")
        XCTAssertEqual(NumberFormatting.compact(2_300_000), "2.3e6")
        XCTAssertEqual(NumberFormatting.compact(10000), "10000")
        XCTAssertEqual(NumberFormatting.scientific(0.00012), "1.2e-4")
        XCTAssertEqual(NumberFormatting.format(1135, .integer), "1135")
    }

    func testSVGNumbersAreLocaleFreeWithTwoDecimals() {
        XCTAssertEqual(SVGWriter.number(12.5), "12.5")
        XCTAssertEqual(SVGWriter.number(3), "3")
        XCTAssertEqual(SVGWriter.number(-0.254), "-0.25")
        XCTAssertEqual(SVGWriter.number(0.05), "0.05")
        XCTAssertEqual(SVGWriter.number(-0.001), "0")
        XCTAssertEqual(SVGWriter.number(.nan), "0")
    }

    func testTerminalDisplayWidth() {
        XCTAssertEqual(TextMetrics.displayWidth("abc"), 3)
        XCTAssertEqual(TextMetrics.displayWidth("学習率"), 6)
        XCTAssertEqual(TextMetrics.displayWidth("\u{1B}[31mred\u{1B}[0m"), 3)
        XCTAssertEqual(TextMetrics.displayWidth("e\u{301}"), 1)
        XCTAssertEqual(TextMetrics.truncate("abcdefgh", toDisplayWidth: 5), "abcd…")
    }

    func testPaletteColours() {
        XCTAssertEqual(Palette.tableau10.color(at: 0).hexString, "#4e79a7")
        XCTAssertEqual(Palette.tableau10.color(at: 10), Palette.tableau10.color(at: 0))
        XCTAssertEqual(Palette.okabeIto.colors.count, 8)
        XCTAssertEqual(Set(Palette.tableau10.colors).count, 10, "palette colours are distinct")
        XCTAssertEqual(RGBColor.black.mixed(with: .white, fraction: 0.5).hexString, "#808080")
    }
}
