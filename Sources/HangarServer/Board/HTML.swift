/// HTML written by the program, in which every interpolated value is escaped: the literal
/// parts of `"<td class=\"\(presence)\">"` are markup, the interpolations are text. There
/// is no way to interpolate unescaped, so text from outside (tags, names, agent messages)
/// cannot become markup.
struct HTML {
    private(set) var output = ""

    init(capacity: Int = 0) { output.reserveCapacity(capacity) }

    mutating func write(_ markup: Markup) { output += markup.text }

    /// One piece of markup: literals as written, interpolations escaped.
    struct Markup: ExpressibleByStringInterpolation {
        var text: String

        init(stringLiteral value: String) { text = value }

        init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

        struct Interpolation: StringInterpolationProtocol {
            var text = ""

            init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + 16 * interpolationCount) }

            mutating func appendLiteral(_ literal: String) { text += literal }

            mutating func appendInterpolation(_ value: String) { HTML.escape(value, into: &text) }

            mutating func appendInterpolation(_ value: Int) { text += String(value) }
        }
    }

    /// Appends `value` with `& < > " '` replaced by entities (text and attribute values):
    /// the runs between them are appended whole.
    static func escape(_ value: String, into out: inout String) {
        let utf8 = value.utf8
        var start = utf8.startIndex, i = start
        while i != utf8.endIndex {
            let entity: String
            switch utf8[i] {
            case 0x26: entity = "&amp;"
            case 0x3C: entity = "&lt;"
            case 0x3E: entity = "&gt;"
            case 0x22: entity = "&quot;"
            case 0x27: entity = "&#39;"
            default:
                i = utf8.index(after: i)
                continue
            }
            out += value[start..<i]
            out += entity
            i = utf8.index(after: i)
            start = i
        }
        if start == utf8.startIndex { out += value } else { out += value[start...] }
    }
}
