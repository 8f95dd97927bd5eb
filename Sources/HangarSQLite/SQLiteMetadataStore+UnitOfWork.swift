import GRDB
import HangarCore

extension SQLiteMetadataStore {
    /// Every change and the audit entries in one write transaction (GRDB rolls it back on
    /// any error).
    public func apply(_ work: UnitOfWork) async throws {
        try await write("cannot record \(work.summary)") { db in
            for change in work.changes {
                switch change {
                case .insertCandidate(let c): try Self.insertCandidate(c, in: db)
                case .putManifest(let m, let tag): try Self.putManifest(m, tag: tag, in: db)
                case .linkBlobs(let project, let links): try Self.linkBlobs(project: project, links, in: db)
                }
            }
            _ = try Self.append(work.audit, in: db)
        }
    }
}
