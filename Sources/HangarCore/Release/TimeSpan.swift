/// A length of time as people write it (`90s`, `30m`, `2h`, `1d`, `1h30m`), in whole
/// seconds between zero and `maximum`. The one duration type of every setting that takes
/// one (soak times, token expiry, agent intervals), on the CLI and over the API, so a
/// value that would overflow arithmetic or formatting is refused where it enters.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The longest span accepted: 100 years (36,500 days).
    public static let maximumSeconds = 36_500 * 86_400
    public static let maximum = TimeSpan(checked: maximumSeconds)

    /// Whole seconds, `0...maximumSeconds`.
    public let seconds: Int

    /// Refuses a negative span or one over the maximum, naming `what` it was for.
    public init(seconds: Int, what: String = "duration") throws {
        guard seconds >= 0 else { throw HangarError.invalid("\(what) of \(seconds) seconds is negative") }
        guard seconds <= Self.maximumSeconds else {
            throw HangarError.invalid("\(what) of \(seconds) seconds is longer than the maximum of \(Self.maximumSeconds) seconds (36500d)")
        }
        self.seconds = seconds
    }

    private init(checked seconds: Int) { self.seconds = seconds }

    /// Parses `90`, `90s`, `30m`, `2h`, `1d`, `1h30m`. Refuses anything else, and spans
    /// over the maximum, without ever overflowing.
    public static func parse(_ text: String, what: String = "duration") throws -> TimeSpan {
        let shape = HangarError.invalid("\(what) '\(text.prefix(64))' is not like 90s, 30m, 2h, 1d or 1h30m")
        guard !text.isEmpty, text.utf8.count <= 64 else { throw shape }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var total = 0, number: Int?, sawUnit = false
        for c in text {
            if let digit = c.wholeNumberValue, c.isASCII {
                let (times10, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(digit)
                guard !o1, !o2, next <= maximumSeconds else { throw tooLong(text, what) }
                number = next
                continue
            }
            guard let n = number, let unit = units[c] else { throw shape }
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2, sum <= maximumSeconds else { throw tooLong(text, what) }
            total = sum
            number = nil
            sawUnit = true
        }
        if let n = number {
            guard !sawUnit else { throw shape }  // `1h30`: a trailing number needs a unit
            total = n
        }
        return try TimeSpan(seconds: total, what: what)
    }

    private static func tooLong(_ text: String, _ what: String) -> HangarError {
        HangarError.invalid("\(what) '\(text.prefix(64))' is longer than the maximum of 36500d")
    }

    /// `1h30m`, `45s`. Total for any input: negative, huge, infinite or NaN values are
    /// shown as what they are instead of trapping.
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite else { return seconds.isNaN ? "an unknown time" : "forever" }
        if seconds < 0 { return "-" + format(-seconds) }
        guard seconds < 9.0e15 else { return "more than 100000 years" }
        var s = Int(seconds.rounded(.down))
        if s < 60 { return "\(s)s" }
        var parts: [String] = []
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where s >= size {
            parts.append("\(s / size)\(unit)")
            s %= size
        }
        return parts.joined()
    }

    public var description: String { Self.format(Double(seconds)) }
    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds < b.seconds }
}
