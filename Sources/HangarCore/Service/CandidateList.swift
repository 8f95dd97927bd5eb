import Foundation

/// One line of `hangar candidates`: a candidate, where it runs now, and whether
/// retention collected it.
public struct CandidateSummary: Codable, Sendable, Hashable {
    public var tag: String
    public var digest: Digest
    public var version: String
    public var commit: String
    public var parentTag: String?
    public var cherryPicks: [String]
    public var artifacts: Int
    /// Bytes of the candidate's artifacts (as stored, compressed).
    public var size: Int64
    public var createdAt: Date
    public var createdBy: String
    /// Environments that point at it now, in promotion order.
    public var runningIn: [String]
    /// When and by which retention rule it was collected (its bytes are gone).
    public var collected: CollectedCandidate?
}

extension HangarService {
    /// The project's candidates, newest first (of one version when given), at most `limit`.
    func candidates(_ project: String, version: String?, limit: Int) async throws -> [CandidateSummary] {
        _ = try await requireProject(project)
        guard limit > 0 else { throw HangarError.invalid("limit must be at least 1, not \(limit)") }
        let all = try await metadata.candidates(project: project, version: version)
        let tags = Dictionary(all.map { ($0.digest, $0.tag) }, uniquingKeysWith: { a, _ in a })
        let environments = try await metadata.environments(project: project)
        let collected = Dictionary(try await metadata.collectedCandidates(project: project).map { ($0.digest, $0) },
                                   uniquingKeysWith: { a, _ in a })
        var out: [CandidateSummary] = []
        for c in all.reversed().prefix(limit) {
            var parentTag: String?
            if let parent = c.parent {
                parentTag = tags[parent]
                if parentTag == nil { parentTag = try await metadata.candidate(project: project, digest: parent)?.tag }
            }
            out.append(CandidateSummary(
                tag: c.tag, digest: c.digest, version: c.version, commit: c.commit, parentTag: parentTag, cherryPicks: c.cherryPicks,
                artifacts: c.artifacts.count, size: c.artifacts.reduce(0) { $0 + $1.size }, createdAt: c.createdAt, createdBy: c.createdBy,
                runningIn: environments.filter { $0.current == c.digest }.map(\.name), collected: collected[c.digest]))
        }
        return out
    }
}
