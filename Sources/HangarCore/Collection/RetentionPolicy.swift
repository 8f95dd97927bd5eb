import Foundation

/// The retention rules as one pure function over a project's candidates, environments and
/// pointer history: for every candidate, kept (and why) or collected (and by which rule).
/// Like the promotion `Policy`, it reads nothing and changes nothing, so `gc --dry-run`,
/// the collector and the tests all ask the same question.
public enum RetentionPolicy {
    public enum Decision: Sendable, Hashable, CustomStringConvertible {
        case keep(String)
        case collect(rule: String)

        public var isKept: Bool { if case .keep = self { true } else { false } }
        public var description: String {
            switch self {
            case .keep(let why): "kept: \(why)"
            case .collect(let rule): "collected by \(rule)"
            }
        }
    }

    /// Decides each candidate. `environments` in order (the last is production);
    /// `moves` are the project's pointer moves in any order.
    public static func evaluate(_ rules: RetentionRules, now: Date, candidates: [CandidateRecord],
                                environments: [EnvironmentRecord], moves: [DeploymentRecord]) -> [Digest: Decision] {
        var keep: [Digest: String] = [:]
        func hold(_ d: Digest, _ why: String) { if keep[d] == nil { keep[d] = why } }
        for env in environments {
            if let current = env.current { hold(current, "environment \(env.name) runs it") }
        }
        // Rollback targets: the distinct candidates each environment ran before its current one.
        let byEnvironment = Dictionary(grouping: moves, by: \.environment)
        for env in environments {
            var seen: Set<Digest> = env.current.map { [$0] } ?? []
            var depth = 0
            for move in (byEnvironment[env.name] ?? []).sorted(by: { $0.id > $1.id }) where depth < rules.rollbackDepth {
                guard seen.insert(move.to).inserted else { continue }
                depth += 1
                hold(move.to, "rollback target \(depth) of \(env.name) (rollback-depth \(rules.rollbackDepth))")
            }
        }
        // Releases: versions that reached the last environment, newest arrival first.
        let byDigest = Dictionary(candidates.map { ($0.digest, $0) }, uniquingKeysWith: { a, _ in a })
        var released: [String: Int64] = [:]
        if let production = environments.max(by: { $0.position < $1.position })?.name {
            for move in byEnvironment[production] ?? [] {
                guard let c = byDigest[move.to] else { continue }
                released[c.version] = max(released[c.version] ?? 0, move.id)
            }
        }
        let releaseOrder = released.sorted { $0.value > $1.value }.map(\.key)
        let keptReleases = Set(rules.releases.map { Array(releaseOrder.prefix($0)) } ?? releaseOrder)
        let byVersion = Dictionary(grouping: candidates, by: \.version)
        var decisions: [Digest: Decision] = [:]
        for c in candidates {
            if let why = keep[c.digest] {
                decisions[c.digest] = .keep(why)
            } else if released[c.version] != nil {
                decisions[c.digest] = keptReleases.contains(c.version)
                    ? .keep("release \(c.version) is one of the last \(rules.releases.map(String.init) ?? "all") released")
                    : .collect(rule: "releases: last \(rules.releases ?? 0)")
            } else {
                let newer = (byVersion[c.version] ?? []).filter { $0.rc > c.rc }.min(by: { $0.rc < $1.rc })
                if let newer, let after = rules.supersededAfterSeconds,
                   now.timeIntervalSince(newer.createdAt) >= Double(after) {
                    decisions[c.digest] = .collect(rule: "superseded-rcs: \(TimeSpan.format(Double(after)))")
                } else if let newer {
                    decisions[c.digest] = .keep("superseded by \(newer.tag) less than \(rules.supersededAfterSeconds.map { TimeSpan.format(Double($0)) } ?? "ever") ago")
                } else {
                    decisions[c.digest] = .keep("newest candidate of unreleased \(c.version)")
                }
            }
        }
        return decisions
    }

    /// The plain tags the rules remove, each with the rule: beyond the newest `keepTags`
    /// (by when they last moved), or last moved more than `tagsMaxAge` before `now`.
    public static func droppedTags(_ rules: RetentionRules, now: Date, tags: [TagRecord]) -> [(TagRecord, rule: String)] {
        let newestFirst = tags.sorted { ($0.updatedAt, $0.tag) > ($1.updatedAt, $1.tag) }
        var dropped: [(TagRecord, rule: String)] = []
        for (i, tag) in newestFirst.enumerated() {
            if let keep = rules.keepTags, i >= keep {
                dropped.append((tag, "keep-tags: \(keep)"))
            } else if let age = rules.tagsMaxAgeSeconds, now.timeIntervalSince(tag.updatedAt) > Double(age) {
                dropped.append((tag, "tags-max-age: \(TimeSpan.format(Double(age)))"))
            }
        }
        return dropped
    }
}
