import Foundation

/// A count of refused requests of one shape in one time window: who (token name or
/// `anonymous`, and token id when one was presented), from where, what (method and the
/// first segments of the path, at most 128 bytes), the status and the reason. Kept in
/// the security log, apart from the hash-chained audit log: it is operational, bounded
/// and pruned after a retention period, so a flood of refused requests cannot grow the
/// release ledger.
public struct SecurityEvent: Sendable, Hashable, Codable {
    /// Start of the window the count covers.
    public var windowStart: Date
    public var actor: String
    public var tokenID: String?
    /// The client's address, without the port.
    public var address: String
    public var method: String
    public var pathPrefix: String
    public var status: Int
    public var reason: String
    public var count: Int
    /// The last refusal counted.
    public var lastAt: Date

    public init(windowStart: Date, actor: String, tokenID: String?, address: String, method: String, pathPrefix: String,
                status: Int, reason: String, count: Int, lastAt: Date) {
        self.windowStart = windowStart
        self.actor = actor
        self.tokenID = tokenID
        self.address = address
        self.method = method
        self.pathPrefix = pathPrefix
        self.status = status
        self.reason = reason
        self.count = count
        self.lastAt = lastAt
    }

    /// The longest path prefix and reason kept.
    public static let textLimit = 128

    /// `text` cut to `textLimit` UTF-8 bytes at a character boundary.
    public static func bounded(_ text: String) -> String { BoundedText.cut(text, to: textLimit) }

    /// The first `segments` segments of a request path (`/v2/acme/app/manifests/…`), bounded.
    public static func pathPrefix(_ path: String, segments: Int = 5) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let kept = parts.prefix(segments + 1).joined(separator: "/")  // + 1: the empty part before the first '/'
        return bounded(parts.count > segments + 1 ? kept + "/…" : kept)
    }
}

/// The security log: aggregated refused requests, outside the audit chain.
public protocol SecurityLogStore: Sendable {
    /// Adds each event's count to the row of the same window and shape (creating it).
    func recordSecurityEvents(_ events: [SecurityEvent]) async throws
    /// Rows whose window starts at or after `since`, newest first, at most `limit`.
    func securityEvents(since: Date, limit: Int) async throws -> [SecurityEvent]
    /// Removes rows whose window started before `before`; returns how many.
    @discardableResult
    func pruneSecurityEvents(before: Date) async throws -> Int
}
