import Foundation
import HangarCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One line of status on stderr, redrawn in place: carriage return, the text, then
/// clear-to-end-of-line, so a shorter text never leaves the tail of a longer one. Drawn
/// only when stderr is a terminal; cut to the terminal's width so it never wraps.
final class StatusLine: Sendable {
    private let label: String
    private let enabled: Bool
    private let drawn = Mutex(false)

    init(label: String, enabled: Bool = Terminal.stderrIsTTY) {
        self.label = label
        self.enabled = enabled
    }

    func show(_ text: String) {
        guard enabled else { return }
        var line = label.isEmpty ? text : "\(label): \(text)"
        let width = Terminal.width(of: STDERR_FILENO) ?? 80
        if line.count >= width { line = String(line.prefix(max(width - 2, 1))) + "…" }
        drawn.withLock { $0 = true }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// Clears the line (the result is printed after it).
    func finish() {
        guard enabled, drawn.withLock({ $0 }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// The progress bar of every transfer: with a known total, a bar, percent, bytes of the
/// total, rate and time left; without one, bytes and rate. Redrawn at most ten times a
/// second and whenever the phase or item changes; the rate restarts with each phase.
final class ProgressBar: @unchecked Sendable {
    private let line: StatusLine
    private let state = Mutex(State())

    private struct State {
        var key = ""
        var started = Date()
        var lastDraw = Date.distantPast
    }

    private let fixed: (label: String, total: Int64?)

    /// A bar fed with `TransferProgress` (its phase and item name the line).
    init(enabled: Bool = Terminal.stderrIsTTY) {
        line = StatusLine(label: "", enabled: enabled)
        fixed = ("", nil)
    }

    /// A bar for one transfer under one label, fed with `advance`.
    init(_ label: String, total: Int64?, enabled: Bool = Terminal.stderrIsTTY) {
        line = StatusLine(label: "", enabled: enabled)
        fixed = (label, total)
    }

    func advance(_ done: Int64) {
        update(fixed.label, done: done, total: fixed.total)
    }

    /// For a `ProgressHandler`.
    func update(_ p: TransferProgress) {
        update("\(p.phase.rawValue) \(p.item)", done: p.done, total: p.total)
    }

    func update(_ label: String, done: Int64, total: Int64?) {
        let now = Date()
        let start: Date? = state.withLock { s in
            if s.key != label {
                (s.key, s.started, s.lastDraw) = (label, now, now)
                return s.started
            }
            guard now.timeIntervalSince(s.lastDraw) >= 0.1 else { return nil }
            s.lastDraw = now
            return s.started
        }
        guard let start else { return }
        line.show(Self.text(label, done: done, total: total, elapsed: now.timeIntervalSince(start)))
    }

    func finish() { line.finish() }

    /// `uploading api [#######       ] 48% 12.0 MiB/25.0 MiB 4.1 MiB/s 3s left`.
    static func text(_ label: String, done: Int64, total: Int64?, elapsed: TimeInterval) -> String {
        let rate = elapsed > 0.05 ? Double(done) / elapsed : 0
        let speed = rate > 0 ? "  \(formatBytes(Int64(rate)))/s" : ""
        guard let total, total > 0 else { return "\(label)  \(formatBytes(done))\(speed)" }
        let fraction = min(1, Double(done) / Double(total))
        let filled = Int(fraction * 20)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 20 - filled)
        let left = rate > 0 && done < total ? "  \(formatDuration(Double(total - done) / rate)) left" : ""
        return "\(label) [\(bar)] \(Int(fraction * 100))%  \(formatBytes(done))/\(formatBytes(total))\(speed)\(left)"
    }
}

/// `42s`, `3m05s`, `1h02m`.
func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
