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
        case .typeMismatch(let type, let c): return "\(path(c)): expected \(Self.name(of: type))"
        case .valueNotFound(let type, let c): return "\(path(c)): expected \(Self.name(of: type)), found nothing"
        case .dataCorrupted(let c):
            if let underlying = c.underlyingError as? HangarError { return "\(path(c)): \(underlying.message)" }
            return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(self)"
        }
    }

    /// `a whole number`, `text`, `true or false`, `a list`: what a person would call the type.
    static func name(of type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type, is UInt16.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is String.Type: "text"
        case is Bool.Type: "true or false"
        default:
            String(describing: type).contains("Scalar") ? "a single value, not a list or mapping"
                : String(describing: type).hasPrefix("Array") ? "a list"
                : String(describing: type).hasPrefix("Dictionary") ? "a mapping of names to values" : "an object"
        }
    }
}
