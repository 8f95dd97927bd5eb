import Testing
@testable import HangarServer

/// The board's grid is written with `HTML`: literals are markup, interpolations are text.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("plain", "plain"), ("", ""), ("a<b", "a&lt;b"), ("<script>", "&lt;script&gt;"),
        ("\"'&", "&quot;&#39;&amp;"), ("ü<é>ß", "ü&lt;é&gt;ß"), ("▶ runs & 🚀", "▶ runs &amp; 🚀"), ("&amp;", "&amp;amp;"),
    ])
    func interpolationsAreEscaped(_ value: String, _ expected: String) {
        var h = HTML()
        h.write("<td title=\"\(value)\">\(value)</td>")
        #expect(h.output == "<td title=\"\(expected)\">\(expected)</td>")
    }

    @Test func numbersAndLiteralsAreWrittenAsTheyAre() {
        var h = HTML()
        h.write("<th colspan=\"\(7)\">")
        h.write("<p>&nbsp;</p>")
        #expect(h.output == "<th colspan=\"7\"><p>&nbsp;</p>")
    }
}
