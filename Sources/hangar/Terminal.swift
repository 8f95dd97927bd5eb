import Foundation
import HangarCore

#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: stdout for results, stderr for messages and progress.
enum Terminal {
    static let stderrIsTTY = isatty(STDERR_FILENO) == 1

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

    /// Prints rows as left-aligned columns under a header.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }
}

/// Human sizes: 1.5 MiB.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

/// A progress bar on stderr, drawn only when stderr is a terminal, at most 10 times a second.
final class ProgressBar {
    private let label: String
    private let total: Int64?
    private let start = Date()
    private var last = Date.distantPast
    private let enabled: Bool

    init(_ label: String, total: Int64?, enabled: Bool = Terminal.stderrIsTTY) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int64) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.1 else { return }
        last = now
        let rate = Double(done) / max(now.timeIntervalSince(start), 0.001)
        var line = "\r\(label) \(formatBytes(done))"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            line = "\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: 30 - filled))] "
                + "\(Int(fraction * 100))% \(formatBytes(done))/\(formatBytes(total))"
        }
        line += " \(formatBytes(Int64(rate)))/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled, last != .distantPast else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
