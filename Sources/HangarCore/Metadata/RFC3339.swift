import Foundation

/// A strict, total parser of RFC 3339 times (`2026-11-20T10:00:00.123Z`,
/// `2026-11-20T12:00:00+02:00`) and full dates (`2026-11-20`): nil for anything else,
/// never a trap, whatever the bytes.
enum RFC3339 {
    static func parse(_ b: [UInt8]) -> Date? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var value = 0
            for k in i..<(i + n) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                value = value * 10 + Int(b[k] - 0x30)
            }
            i += n
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              (1...12).contains(month), (1...daysIn(month, of: year)).contains(day) else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        if i == b.count { return Date(timeIntervalSince1970: Double(days) * 86_400) }
        guard i < b.count, b[i] == 0x54 || b[i] == 0x74 else { return nil }  // T or t
        i += 1
        guard let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2),
              hour < 24, minute < 60, second < 60 else { return nil }
        var nanos = 0
        if i < b.count, b[i] == 0x2e {  // .
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                guard count < 9 else { return nil }
                nanos = nanos * 10 + Int(b[i] - 0x30)
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 0x5a || b[i] == 0x7a {  // Z or z
            i += 1
        } else if b[i] == 0x2b || b[i] == 0x2d {  // + or -
            let sign = b[i] == 0x2d ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(":"), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
