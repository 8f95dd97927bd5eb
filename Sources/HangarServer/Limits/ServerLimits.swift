import HangarCore

/// The limits that keep one client from exhausting the server, with their defaults.
/// Each is set by name, the same name everywhere: `--limit max-connections=2000`, the
/// variable `HANGAR_MAX_CONNECTIONS`, or `limits: {max-connections: 2000}` in the YAML file.
public struct ServerLimits: Sendable, Equatable {
    /// Open connections at most; past it the longest-waiting idle connection is closed.
    /// 0: derived from the open-file limit (which `hangar serve` raises to its hard limit).
    public var maxConnections = 0
    /// Seconds a new connection has to send its first request head.
    public var headerTimeoutSeconds = 10
    /// Seconds an idle keep-alive connection, or a request body that stopped arriving, is kept.
    public var idleTimeoutSeconds = 60
    /// Bytes of request headers (all fields together; also the most for one field).
    public var maxHeaderBytes = 64 << 10
    /// Bytes of the request path with its query.
    public var maxPathBytes = 4096
    /// Blob upload sessions open at once, in total (503 past it).
    public var maxUploadSessions = 1000
    /// Blob upload sessions open at once for one token, or for all anonymous callers (429 past it).
    public var maxUploadSessionsPerToken = 100
    /// Long-poll `watch` requests waiting at once (503 past it).
    public var maxWatchers = 1000
    /// Days the security log (refused requests) keeps its records.
    public var securityLogDays = 30

    public init() {}

    /// One limit: its name, the values it may take, and what it bounds.
    public struct Setting: Sendable {
        public let name: String
        public let range: ClosedRange<Int>
        public let help: String
        /// The environment variable that sets it.
        public var variable: String { "HANGAR_" + name.uppercased().replacingOccurrences(of: "-", with: "_") }
    }

    public static let settings: [Setting] = [
        Setting(name: "max-connections", range: 0...1_000_000, help: "open connections (0: from the open-file limit)"),
        Setting(name: "header-timeout", range: 1...3600, help: "seconds for a new connection's first request head"),
        Setting(name: "idle-timeout", range: 1...86_400, help: "seconds an idle connection or stalled body is kept"),
        Setting(name: "max-header-bytes", range: 1024...(1 << 20), help: "bytes of request headers"),
        Setting(name: "max-path-bytes", range: 256...65_536, help: "bytes of the request path and query"),
        Setting(name: "max-upload-sessions", range: 1...1_000_000, help: "upload sessions open in total"),
        Setting(name: "max-upload-sessions-per-token", range: 1...1_000_000, help: "upload sessions open per token"),
        Setting(name: "max-watchers", range: 1...1_000_000, help: "long-poll watch requests waiting"),
        Setting(name: "security-log-days", range: 1...36_500, help: "days refused requests are kept in the security log"),
    ]

    /// Sets the limit `name`; an unknown name or a value out of range is refused, naming
    /// where it came from.
    public mutating func set(_ name: String, _ value: Int, source: String) throws {
        guard let setting = Self.settings.first(where: { $0.name == name }) else {
            throw HangarError.invalid("\(source): unknown limit '\(name)' (known: \(Self.settings.map(\.name).joined(separator: ", ")))")
        }
        guard setting.range.contains(value) else {
            throw HangarError.invalid("\(source): limit \(name)=\(value) is not between \(setting.range.lowerBound) and \(setting.range.upperBound)")
        }
        switch name {
        case "max-connections": maxConnections = value
        case "header-timeout": headerTimeoutSeconds = value
        case "idle-timeout": idleTimeoutSeconds = value
        case "max-header-bytes": maxHeaderBytes = value
        case "max-path-bytes": maxPathBytes = value
        case "max-upload-sessions": maxUploadSessions = value
        case "max-upload-sessions-per-token": maxUploadSessionsPerToken = value
        case "max-watchers": maxWatchers = value
        default: securityLogDays = value
        }
    }

    /// Parses `name=value` (the `--limit` flag).
    public static func parseAssignment(_ text: String) throws -> (name: String, value: Int) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Int(parts[1]) else {
            throw HangarError.invalid("--limit '\(text.prefix(80))' is not NAME=NUMBER (e.g. max-connections=2000)")
        }
        return (String(parts[0]), value)
    }

    /// The connection limit in force: the configured one, or the open-file limit less
    /// room for the store's own files (at least 64), at most 10,000.
    public func effectiveMaxConnections(openFileLimit: Int) -> Int {
        if maxConnections > 0 { return maxConnections }
        return max(64, min(10_000, openFileLimit - 256))
    }
}
