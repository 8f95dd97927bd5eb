/// A content address: `sha256:` followed by 64 lowercase hex digits, the SHA-256 of
/// exactly one byte sequence.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// The only algorithm Hangar stores under.
    public static let algorithm = "sha256"

    /// Parses `sha256:<64 lowercase hex>`; anything else is an `invalidInput` error
    /// that says what was wrong with the text.
    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else {
            throw HangarError.invalid("digest '\(text)' has no algorithm: expected sha256:<64 lowercase hex digits>")
        }
        let algorithm = text[..<colon]
        let hex = text[text.index(after: colon)...]
        guard algorithm == Self.algorithm else {
            throw HangarError.invalid("digest '\(text)' uses algorithm '\(algorithm)': only sha256 is supported")
        }
        guard hex.utf8.count == 64 else {
            throw HangarError.invalid("digest '\(text)' has \(hex.utf8.count) hex digits: sha256 needs exactly 64")
        }
        guard hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw HangarError.invalid("digest '\(text)' has characters other than lowercase hex digits")
        }
        self.hex = String(hex)
    }

    /// Makes a digest from 32 raw SHA-256 bytes.
    public init(sha256Bytes bytes: some Collection<UInt8>) {
        precondition(bytes.count == 32, "a SHA-256 digest is 32 bytes")
        self.hex = Hex.encode(bytes)
    }

    /// Parses the text if it is a valid digest, else nil.
    public static func valid(_ text: String) -> Digest? { try? Digest(parsing: text) }

    /// `sha256:<hex>`.
    public var description: String { "\(Self.algorithm):\(hex)" }

    /// The first 12 hex digits, for human tables.
    public var short: String { String(hex.prefix(12)) }

    /// The 32 raw bytes.
    public var bytes: [UInt8] { Hex.decode(hex)! }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lowercase or uppercase hex; nil if the text is not hex of even length.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = value(utf8[i]), let lo = value(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
