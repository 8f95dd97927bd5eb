import Foundation
import HangarCore

#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: stdout for results, stderr for messages and progress.
enum Terminal {
    static let stderrIsTTY = isatty(STDERR_FILENO) == 1

    /// The width of the terminal on `fd`, or nil when it is not one.
    static func width(of fd: Int32) -> Int? {
        guard isatty(fd) == 1 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Prints `value` as pretty, key-sorted JSON on stdout.
    static func json(_ value: some Encodable) throws {
        print(String(decoding: try jsonData(value), as: UTF8.self))
    }

    /// Pretty, key-sorted JSON with Hangar's timestamps (UTC, milliseconds).
    static func jsonData(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, e in
            var c = e.singleValueContainer()
            try c.encode(Timestamp.format(date))
        }
        return try encoder.encode(value)
    }

    /// Prints rows as left-aligned columns under a header. On a terminal, the widest
    /// columns are cut (ending in …) so no row wraps; piped output keeps every character.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        var widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        if let limit = width(of: STDOUT_FILENO) { widths = fit(widths, minimum: header.map { max($0.count, 6) }, into: limit - 1) }
        for row in all {
            let cells = row.enumerated().map { i, cell -> String in
                let w = widths.indices.contains(i) ? widths[i] : cell.count
                let cut = cell.count > w ? String(cell.prefix(max(w - 1, 0))) + "…" : cell
                return i == row.count - 1 ? cut : cut.padding(toLength: w, withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }

    /// Column widths whose sum with two spaces between columns fits `limit`: the widest
    /// column (never the first, which names the row) gives up a character at a time, none
    /// below its header; a table that still does not fit then wraps.
    static func fit(_ widths: [Int], minimum: [Int], into limit: Int) -> [Int] {
        var widths = widths
        while widths.reduce(0, +) + 2 * max(widths.count - 1, 0) > limit,
              let i = widths.indices.dropFirst().filter({ widths[$0] > minimum[$0] }).max(by: { widths[$0] < widths[$1] }) {
            widths[i] -= 1
        }
        return widths
    }
}

/// Human sizes: 1.5 MiB.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
