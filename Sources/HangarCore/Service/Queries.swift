import Foundation

/// One environment as `status` shows it.
public struct EnvironmentStatus: Codable, Sendable {
    public var environment: String
    public var position: Int
    public var policy: EnvironmentPolicy
    public var tag: String?
    public var digest: Digest?
    public var commit: String?
    public var since: Date?
    public var by: String?
    public var generation: Int64
    /// The newest report of a deploy agent on the deployment in effect (nil: none yet).
    public var report: DeploymentReport?
}

/// A deployment with the tags of both ends resolved, as `history` shows it.
public struct HistoryEntry: Codable, Sendable {
    public var deployment: DeploymentRecord
    public var toTag: String?
    public var fromTag: String?
    /// What deploy agents reported about this deployment, newest first.
    public var reports: [DeploymentReport]
}

/// A candidate with its manifest and where it runs now, as `show` prints it.
public struct CandidateDetails: Codable, Sendable {
    public var candidate: CandidateRecord
    public var manifest: OCIManifest
    public var config: CandidateConfig
    public var parentTag: String?
    /// Environments that point at this candidate now.
    public var runningIn: [String]
    /// The tag of the candidate the changelog follows, when there is one.
    public var changelogSinceTag: String?
}

/// What changed between two candidates.
public struct CandidateDiff: Codable, Sendable {
    public struct Change: Codable, Sendable, Hashable {
        public var name: String
        /// `added`, `removed`, `changed`, `unchanged`.
        public var change: String
        public var from: Digest?
        public var to: Digest?
    }
    public var from: String
    public var to: String
    public var fromCommit: String
    public var toCommit: String
    /// Cherry-picked commits on the path from `from` to `to` (when one descends from the other).
    public var cherryPicks: [String]
    public var artifacts: [Change]
    /// The commits between, newest first, from the changelogs recorded on the chain from
    /// `to` back to `from`; nil when the recorded changelogs do not reach `from`.
    public var commits: [Changelog.Entry]?
    /// Older commits of the range the recorded changelogs left out (past their limit).
    public var commitsOmitted: Int
}

extension HangarService {
    /// Each environment of the project in order: what it points at, since when, set by whom,
    /// and what its deploy agent last reported about that move: one snapshot.
    func status(_ project: String) async throws -> [EnvironmentStatus] {
        let s = try await snapshot(project, candidates: 0, deployments: 0)
        return s.environments.map { env in
            let c = s.candidate(env.current)
            return EnvironmentStatus(environment: env.name, position: env.position, policy: env.policy, tag: c?.tag,
                                     digest: env.current, commit: c?.commit, since: env.updatedAt, by: env.updatedBy,
                                     generation: env.generation, report: s.reports[env.name])
        }
    }

    /// Every move, newest first (of one environment when given), with its agents' reports.
    /// With `at`, only the move in effect at that instant: what the environment pointed to then.
    func history(_ project: String, environment: String?, at: Date? = nil, limit: Int? = nil) async throws -> [HistoryEntry] {
        _ = try await requireProject(project)
        if let environment { _ = try await requireEnvironment(project, environment) }
        if at != nil && environment == nil {
            throw HangarError.invalid("--at needs --env: which environment's state at that time?")
        }
        let rows = try await metadata.deployments(project: project, environment: environment, before: at, limit: at == nil ? limit : 1)
        var tags: [Digest: String] = [:]
        var out: [HistoryEntry] = []
        for d in rows {
            for digest in [d.to, d.from].compactMap({ $0 }) where tags[digest] == nil {
                tags[digest] = try await metadata.candidate(project: project, digest: digest)?.tag
            }
            let reports = try await metadata.reports(project: project, environment: d.environment, deploymentID: d.id)
            out.append(HistoryEntry(deployment: d, toTag: tags[d.to], fromTag: d.from.flatMap { tags[$0] }, reports: reports))
        }
        return out
    }

    /// Every move to `digest`, in any environment, oldest first: indexed pages, however
    /// long the project's history.
    func moves(_ project: String, to digest: Digest) async throws -> [DeploymentRecord] {
        var newestFirst: [DeploymentRecord] = []
        while true {
            let page = try await metadata.deployments(project: project, environment: nil, to: digest,
                                                      beforeID: newestFirst.last?.id, limit: 256)
            newestFirst += page
            if page.count < 256 { return newestFirst.reversed() }
        }
    }

    /// The move with this id in the project, or nil: one indexed read.
    func deployment(_ project: String, id: Int64) async throws -> DeploymentRecord? {
        guard id > 0, id < Int64.max else { return nil }
        return try await metadata.deployments(project: project, environment: nil, to: nil, beforeID: id + 1, limit: 1)
            .first { $0.id == id }
    }

    /// The candidate `ref` names, with its manifest and config read back from the store.
    func show(_ project: String, ref: String) async throws -> CandidateDetails {
        let c = try await resolve(project, ref)
        try await refuseIfCollected(c)
        let manifest = try OCIManifest.parse(try await blobs.get(c.digest))
        let config = try CandidateConfig.parse(try await blobs.get(c.configDigest))
        let parentTag = try await c.parent.asyncMap { try await metadata.candidate(project: project, digest: $0)?.tag } ?? nil
        let running = try await metadata.environments(project: project).filter { $0.current == c.digest }.map(\.name)
        let sinceTag = try await config.changelog?.since.asyncMap { try await metadata.candidate(project: project, digest: $0)?.tag } ?? nil
        return CandidateDetails(candidate: c, manifest: manifest, config: config, parentTag: parentTag, runningIn: running,
                                changelogSinceTag: sinceTag)
    }

    /// Which artifacts changed between two candidates (by digest), and the commits between.
    func diff(_ project: String, from a: String, to b: String) async throws -> CandidateDiff {
        let from = try await resolve(project, a)
        let to = try await resolve(project, b)
        let old = Dictionary(uniqueKeysWithValues: from.artifacts.map { ($0.name, $0.digest) })
        let new = Dictionary(uniqueKeysWithValues: to.artifacts.map { ($0.name, $0.digest) })
        let changes = Set(old.keys).union(new.keys).sorted().map { name -> CandidateDiff.Change in
            let change = switch (old[name], new[name]) {
            case (nil, _): "added"
            case (_, nil): "removed"
            case let (x, y) where x == y: "unchanged"
            default: "changed"
            }
            return CandidateDiff.Change(name: name, change: change, from: old[name], to: new[name])
        }
        let commits = try await commitsBetween(from, to)
        return CandidateDiff(from: from.tag, to: to.tag, fromCommit: from.commit, toCommit: to.commit,
                             cherryPicks: try await picksBetween(from, to), artifacts: changes,
                             commits: commits?.entries, commitsOmitted: commits?.omitted ?? 0)
    }

    /// The recorded changelogs from `descendant` back to `ancestor`, each naming the
    /// candidate it follows; nil when that chain does not reach `ancestor`.
    private func commitsBetween(_ ancestor: CandidateRecord, _ descendant: CandidateRecord) async throws
        -> (entries: [Changelog.Entry], omitted: Int)? {
        var entries: [Changelog.Entry] = []
        var omitted = 0
        var cursor = descendant
        for _ in 0..<10_000 {
            if cursor.digest == ancestor.digest { return (entries, omitted) }
            guard let log = try CandidateConfig.parse(try await blobs.get(cursor.configDigest)).changelog,
                  let since = log.since, let next = try await metadata.candidate(project: cursor.project, digest: since) else { return nil }
            entries += log.commits
            omitted += log.omitted
            cursor = next
        }
        return nil
    }

    /// Cherry-picks made on the parent chain from `ancestor` down to `descendant`.
    private func picksBetween(_ ancestor: CandidateRecord, _ descendant: CandidateRecord) async throws -> [String] {
        var chain: [CandidateRecord] = []
        var cursor: CandidateRecord? = descendant
        while let c = cursor, c.digest != ancestor.digest {
            chain.append(c)
            cursor = try await c.parent.asyncMap { try await metadata.candidate(project: c.project, digest: $0) } ?? nil
        }
        guard cursor != nil else { return [] }
        return chain.reversed().flatMap(\.cherryPicks)
    }
}

extension Optional {
    /// `map` with an async transform.
    public func asyncMap<T>(_ body: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await body(value)
    }
}
