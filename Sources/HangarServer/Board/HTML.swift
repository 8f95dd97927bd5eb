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

    /// Appends `value` with `& < > " '` replaced by entities (text and attribute values).
    static func escape(_ value: String, into out: inout String) {
        guard value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            out += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
