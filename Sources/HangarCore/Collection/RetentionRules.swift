import Foundation

/// What a project keeps, in release terms. What any environment runs is always kept; the
/// rest is decided by these rules (`RetentionPolicy`), and what no rule keeps is collected:
/// its bytes go, its records stay in history and audit.
///
/// - `rollbackDepth`: per environment, the last N distinct candidates it ran before the
///   current one stay (what `hangar rollback` could reach).
/// - `releases`: every candidate of the last N versions that reached the last environment
///   (production) stays; older released versions go (nil: every release stays).
/// - `supersededAfter`: of a version that never reached production, the newest candidate
///   stays; an older one goes once the candidate that superseded it is that old (nil: they stay).
/// - `untaggedAfter`: a manifest pushed over the OCI API that no tag, candidate, index or
///   kept manifest refers to goes when it is that old.
/// - `keepTags` / `tagsMaxAge`: plain tags (pushed over the OCI API; never candidate or
///   environment tags) beyond the newest N, or last moved longer ago than the age, are
///   removed (nil: no limit); their manifests then go by the untagged rule.
public struct RetentionRules: Codable, Sendable, Hashable, CustomStringConvertible {
    public var rollbackDepth: Int
    public var releases: Int?
    public var supersededAfterSeconds: Int?
    public var untaggedAfterSeconds: Int
    public var keepTags: Int?
    public var tagsMaxAgeSeconds: Int?

    public init(rollbackDepth: Int = 5, releases: Int? = 10, supersededAfterSeconds: Int? = 14 * 86_400,
                untaggedAfterSeconds: Int = 86_400, keepTags: Int? = nil, tagsMaxAgeSeconds: Int? = nil) {
        self.rollbackDepth = rollbackDepth
        self.releases = releases
        self.supersededAfterSeconds = supersededAfterSeconds
        self.untaggedAfterSeconds = untaggedAfterSeconds
        self.keepTags = keepTags
        self.tagsMaxAgeSeconds = tagsMaxAgeSeconds
    }

    /// The rules of a project that never set any.
    public static let defaults = RetentionRules()

    /// Refuses values no one means (negative counts, spans past 100 years).
    public func validated() throws -> RetentionRules {
        guard (0...1000).contains(rollbackDepth) else { throw HangarError.invalid("rollback-depth must be between 0 and 1000, not \(rollbackDepth)") }
        if let releases, !(0...100_000).contains(releases) {
            throw HangarError.invalid("releases must be between 0 and 100000 (or all), not \(releases)")
        }
        if let s = supersededAfterSeconds { _ = try TimeSpan(seconds: s, what: "superseded-rcs") }
        _ = try TimeSpan(seconds: untaggedAfterSeconds, what: "untagged")
        if let keepTags, !(0...1_000_000).contains(keepTags) { throw HangarError.invalid("keep-tags must be between 0 and 1000000 (or all), not \(keepTags)") }
        if let s = tagsMaxAgeSeconds { _ = try TimeSpan(seconds: s, what: "tags-max-age") }
        return self
    }

    /// `environments: all, rollback-depth: 5, releases: last 10, superseded-rcs: 14d, untagged: 1d`.
    public var description: String {
        let releases = self.releases.map { "last \($0)" } ?? "all"
        let superseded = supersededAfterSeconds.map { TimeSpan.format(Double($0)) } ?? "kept"
        var text = "environments: all, rollback-depth: \(rollbackDepth), releases: \(releases), superseded-rcs: \(superseded), untagged: \(TimeSpan.format(Double(untaggedAfterSeconds)))"
        if let keepTags { text += ", keep-tags: \(keepTags)" }
        if let tagsMaxAgeSeconds { text += ", tags-max-age: \(TimeSpan.format(Double(tagsMaxAgeSeconds)))" }
        return text
    }
}
