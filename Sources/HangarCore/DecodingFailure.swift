import Foundation

extension DecodingError {
    /// A short account of the failure naming the field (`'layers.[0].size': …`), without
    /// Swift's internal wording of types where it can be avoided.
    public var summary: String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : "'\(p)'"
        }
        switch self {
        case .keyNotFound(let key, let c): return "\(path(c)) is missing field '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)): \(c.debugDescription)"
        case .dataCorrupted(let c):
            if let underlying = c.underlyingError as? HangarError { return "\(path(c)): \(underlying.message)" }
            return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
