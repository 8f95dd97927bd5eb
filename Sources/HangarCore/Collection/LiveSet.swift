import Foundation

/// What one project keeps, by its retention rules and references: the candidates the
/// policy keeps and everything they refer to, the manifests a tag, a kept candidate, a kept
/// index or a recent push keeps (with the manifests that refer to those as their subject:
/// signatures, SBOMs), and signed provenance (evidence outlives the bytes it speaks of).
struct ProjectLiveSet {
    var digests: Set<Digest> = []
    var collect: [CollectionReport.Candidate] = []
    var droppedTags: [CollectionReport.Tag] = []
    var deadManifests: [CollectionReport.Manifest] = []

    /// The live set of `project`; with `applyRules` false (a project not being collected)
    /// every candidate and manifest counts as live.
    static func build(_ project: String, metadata: any MetadataStore, now: Date, recent: Set<Digest>,
                      applyRules: Bool) async throws -> ProjectLiveSet {
        var live = ProjectLiveSet()
        let rules = try await metadata.retentionRules(project: project) ?? .defaults
        let candidates = try await metadata.candidates(project: project, version: nil)
        let collected = Set(try await metadata.collectedCandidates(project: project).map(\.digest))
        var decisions: [Digest: RetentionPolicy.Decision] = [:]
        if applyRules {
            decisions = RetentionPolicy.evaluate(
                rules, now: now, candidates: candidates, environments: try await metadata.environments(project: project),
                moves: try await metadata.deployments(project: project, environment: nil, before: nil, limit: nil))
        }
        var keptCandidates: [CandidateRecord] = []
        for c in candidates where !collected.contains(c.digest) {
            if case .collect(let rule)? = decisions[c.digest] {
                live.collect.append(.init(project: project, tag: c.tag, digest: c.digest, rule: rule))
            } else {
                keptCandidates.append(c)
                live.digests.formUnion([c.digest, c.configDigest] + c.artifacts.map(\.digest))
            }
        }
        let tags = try await metadata.tags(project: project, after: nil, limit: nil)
        if applyRules {
            live.droppedTags = RetentionPolicy.droppedTags(rules, now: now, tags: tags)
                .map { .init(project: project, tag: $0.0.tag, digest: $0.0.digest, rule: $0.rule) }
        }
        let dropped = Set(live.droppedTags.map(\.tag))
        let tagged = Set(tags.filter { !dropped.contains($0.tag) }.map(\.digest))
        live.markManifests(try await metadata.manifests(project: project), project: project, rules: rules, now: now,
                           roots: recent.union(tagged), applyRules: applyRules)
        return live
    }

    /// Roots, then what they reach (references) and what refers to them (subjects), to a fixpoint.
    private mutating func markManifests(_ manifests: [ManifestRecord], project: String, rules: RetentionRules, now: Date,
                                       roots: Set<Digest>, applyRules: Bool) {
        let untaggedBefore = now.addingTimeInterval(-Double(rules.untaggedAfterSeconds))
        var liveManifests = Set<Digest>()
        for m in manifests where !applyRules || digests.contains(m.digest) || roots.contains(m.digest)
            || m.artifactType == Provenance.artifactType || m.createdAt >= untaggedBefore {
            liveManifests.insert(m.digest)
        }
        var changed = true
        let byDigest = Dictionary(manifests.map { ($0.digest, $0) }, uniquingKeysWith: { a, _ in a })
        while changed {
            changed = false
            for m in manifests {
                let reached = liveManifests.contains(m.digest)
                let refersToLive = m.subject.map(liveManifests.contains) ?? false
                if !reached && refersToLive { liveManifests.insert(m.digest); changed = true }
                if reached || refersToLive {
                    for r in m.references where byDigest[r] != nil && !liveManifests.contains(r) {
                        liveManifests.insert(r); changed = true
                    }
                }
            }
        }
        for m in manifests {
            if liveManifests.contains(m.digest) {
                digests.insert(m.digest)
                digests.formUnion(m.references)
            } else {
                deadManifests.append(.init(project: project, digest: m.digest,
                                           why: "untagged and unreferenced for more than \(TimeSpan.format(Double(rules.untaggedAfterSeconds)))"))
            }
        }
    }
}
