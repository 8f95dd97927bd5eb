import HangarCore

extension PostgresMetadataStore {
    /// Every change and the audit entries in one transaction; the chain head is locked
    /// first only when the unit appends to it (a bare blob link never waits for it).
    public func apply(_ work: UnitOfWork) async throws {
        try await write("cannot record \(work.summary)", audited: !work.audit.isEmpty) { sql in
            for change in work.changes {
                switch change {
                case .insertCandidate(let c): try await Self.insertCandidate(c, in: sql)
                case .putManifest(let m, let tag): try await Self.putManifest(m, tag: tag, in: sql)
                case .linkBlobs(let project, let links): try await Self.linkBlobs(project: project, links, in: sql)
                }
            }
            if !work.audit.isEmpty { _ = try await Self.append(work.audit, in: sql) }
        }
    }
}
