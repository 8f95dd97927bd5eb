import Foundation

/// The garbage collector: online, on any backend pair, through the store protocols.
///
/// 1. Finishes the blob deletions a collector that died had begun (resumable: a crash loses
///    no work beyond the few blobs in hand).
/// 2. Marks: per project, the candidates its retention rules keep and everything they refer
///    to, the manifests tags, kept candidates and recent pushes keep, signed provenance and
///    signed move statements; plus every blob linked within the grace period (uploads in
///    flight).
/// 3. Records the collected candidates (unless a move put one back in use meanwhile) and
///    removes dead manifest records, each in its own transaction that checks again.
/// 4. Sweeps the blob store in pages: a blob that is not live and was not written within
///    the grace period is deleted only after `beginBlobDeletion` confirmed, in one
///    transaction, that nothing refers to it now; from then until its bytes are gone a push
///    naming it is told to upload it again.
/// 5. Removes upload sessions idle for a day and temporary files of dead processes.
/// A real run appends one audit entry (`gc.run`) with its counts, not one per blob.
public struct Collector: Sendable {
    public let service: HangarService
    /// A blob written or linked this recently is never collected (uploads in flight).
    public var grace: TimeInterval
    /// An upload session idle this long is abandoned.
    public var sessionTimeout: TimeInterval

    public init(service: HangarService, grace: TimeInterval = 1800, sessionTimeout: TimeInterval = 86_400) {
        self.service = service
        self.grace = grace
        self.sessionTimeout = sessionTimeout
    }

    var metadata: any MetadataStore { service.metadata }

    /// Blob deletions per begin/finish transaction pair.
    static let batch = Int(ProcessInfo.processInfo.environment["HANGAR_GC_BATCH"] ?? "") ?? 25
    /// The pause after each batch, relative to the time the batch took.
    static let pause = Double(ProcessInfo.processInfo.environment["HANGAR_GC_PAUSE"] ?? "") ?? 1.0

    /// Collects (or with `dryRun` only reports) what the rules of `project` (every project
    /// when nil) let go. `progress` is called with blobs looked at and deleted so far.
    func run(dryRun: Bool, project: String?, actor: String,
             progress: (@Sendable (_ looked: Int, _ deleted: Int) -> Void)? = nil) async throws -> CollectionReport {
        let now = service.now()
        let projects = try await metadata.projects().map(\.name)
        if let project, !projects.contains(project) { throw HangarService.noSuchProject(project) }
        var report = CollectionReport(dryRun: dryRun, startedAt: now, projects: project.map { [$0] } ?? projects)
        if !dryRun { report.resumed = try await resumeDeletions() }
        let since = now.addingTimeInterval(-grace)
        var live = try await metadata.blobsLinked(since: since).union(try await metadata.moveEnvelopeBlobs())
        for name in projects {
            let set = try await ProjectLiveSet.build(name, metadata: metadata, now: now, recent: live,
                                                     applyRules: project == nil || project == name)
            live.formUnion(set.digests)
            report.candidates += set.collect
            report.tags += set.droppedTags
            report.manifests += set.deadManifests
        }
        if !dryRun { try await recordRecords(&report, live: &live, now: now, since: since) }
        report.liveBlobs = live.count
        try await sweepBlobs(&report, live: live, since: since, dryRun: dryRun, progress: progress)
        if !dryRun {
            try await sweepLeftovers(now: now)
            _ = try await metadata.appendAudit([AuditDraft(at: service.now(), actor: actor, action: .garbageCollected,
                                                           project: project, subject: nil, details: report.auditDetails)])
        }
        return report
    }

    /// Finishes deletions begun by a run that died.
    private func resumeDeletions() async throws -> Int {
        let pending = try await metadata.pendingBlobDeletions()
        for digest in pending { try await service.blobs.delete(digest) }
        try await metadata.finishBlobDeletions(pending, at: service.now())
        try await metadata.pruneBlobDeletions(before: service.now().addingTimeInterval(-3600))
        return pending.count
    }

    /// Records collected candidates and removes dead manifest records; whatever a
    /// concurrent change put back in use stays, and stays live for the sweep.
    private func recordRecords(_ report: inout CollectionReport, live: inout Set<Digest>, now: Date, since: Date) async throws {
        let records = report.candidates.map { CollectedCandidate(project: $0.project, digest: $0.digest, tag: $0.tag, at: now, rule: $0.rule) }
        let inUse = Set(try await metadata.recordCollected(records, since: since))
        for c in report.candidates where inUse.contains(c.digest) {
            if let record = try await metadata.candidate(project: c.project, digest: c.digest) {
                live.formUnion([record.digest, record.configDigest] + record.artifacts.map(\.digest))
            }
        }
        report.keptInUse = report.candidates.filter { inUse.contains($0.digest) }.map(\.digest)
        report.candidates.removeAll { inUse.contains($0.digest) }
        // Tags first (a tagged manifest is not removed); a tag moved meanwhile stays, with its manifest.
        var kept: [CollectionReport.Tag] = []
        for t in report.tags where !(try await metadata.collectTag(project: t.project, name: t.tag, digest: t.digest, since: since)) {
            kept.append(t)
        }
        report.tags.removeAll { t in kept.contains(t) }
        report.manifests.removeAll { m in kept.contains { $0.project == m.project && $0.digest == m.digest } }
        for t in kept {
            if let record = try await metadata.manifest(project: t.project, digest: t.digest) { live.formUnion([record.digest] + record.references) }
        }
        // An index goes before the manifests it lists: retry until no more go.
        var pending = report.manifests, removed: [CollectionReport.Manifest] = []
        while !pending.isEmpty {
            var next: [CollectionReport.Manifest] = []
            for m in pending {
                if try await metadata.collectManifest(project: m.project, digest: m.digest, since: since) { removed.append(m) } else { next.append(m) }
            }
            if next.count == pending.count { break }
            pending = next
        }
        for m in pending {
            if let record = try await metadata.manifest(project: m.project, digest: m.digest) {
                live.formUnion([record.digest] + record.references)
            }
        }
        report.manifests = removed
    }

    /// Pages through the blob store deleting what is not live.
    private func sweepBlobs(_ report: inout CollectionReport, live: Set<Digest>, since: Date, dryRun: Bool,
                            progress: (@Sendable (Int, Int) -> Void)?) async throws {
        var after: Digest?
        var looked = 0
        while true {
            let page = try await service.blobs.list(after: after, limit: 1000)
            let dead = page.filter { !live.contains($0.digest) && $0.modified < since }
            if dryRun {
                report.blobs += dead.map { .init(digest: $0.digest, size: $0.size) }
            } else {
                // A few at a time: one transaction begins them, one finishes them; then a
                // pause as long as the batch took, so pushes and promotions keep their pace
                // (the collector uses at most half of the time it runs).
                for start in stride(from: 0, to: dead.count, by: Self.batch) {
                    let began = ContinuousClock.now
                    let batch = dead[start..<min(start + Self.batch, dead.count)]
                    let begun = Set(try await metadata.beginBlobDeletions(batch.map(\.digest), since: since, at: service.now()))
                    for blob in batch where begun.contains(blob.digest) { try await service.blobs.delete(blob.digest) }
                    try await metadata.finishBlobDeletions(Array(begun), at: service.now())
                    report.blobs += batch.filter { begun.contains($0.digest) }.map { .init(digest: $0.digest, size: $0.size) }
                    try await Task.sleep(for: (ContinuousClock.now - began) * Self.pause)
                }
            }
            looked += page.count
            progress?(looked, report.blobs.count)
            guard page.count == 1000, let last = page.last else { return }
            after = last.digest
        }
    }

    /// Upload sessions idle past their timeout, and temporary files of dead processes.
    private func sweepLeftovers(now: Date) async throws {
        while true {
            let idle = try await metadata.idleUploadSessions(before: now.addingTimeInterval(-sessionTimeout), limit: 500)
            for session in idle {
                try await service.blobs.removeSession(session.id)
                _ = try await metadata.deleteUploadSession(id: session.id)
            }
            if idle.count < 500 { break }
        }
        _ = try await service.blobs.sweepTemporary(maxAge: sessionTimeout)
    }
}
