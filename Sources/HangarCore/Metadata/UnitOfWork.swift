import Foundation

/// A blob linked into a project: uploaded to it, mounted into it, stored by a cut or a
/// manifest push. Operational, like the security log: kept in the metadata (who, when,
/// how large; the collector's grace period starts there), off the hash-chained audit log,
/// so uploads never wait for the chain head. The first link of a digest to a project is
/// kept; linking again changes nothing.
public struct BlobLink: Sendable, Hashable {
    public var digest: Digest
    public var size: Int64?
    public var at: Date
    public var by: String

    public init(digest: Digest, size: Int64?, at: Date, by: String) {
        self.digest = digest
        self.size = size
        self.at = at
        self.by = by
    }
}

/// One change of the metadata, described as a value, so that a compound change is a list
/// of them that each backend executes in one transaction (GRDB's transactions are
/// synchronous closures, postgres-nio's are async: a description is their common form).
public enum MetadataChange: Sendable {
    /// A new candidate. `conflict` when the project already has its tag, its rc of the
    /// version or its manifest digest (tags never move); `notFound` without the project.
    case insertCandidate(CandidateRecord)
    /// A manifest of a project (recording the same digest again is a no-op) and, when
    /// given, a plain tag pointing at it. `notFound` without the project; `invalidInput`
    /// when the tag names another project or digest; `conflict` when the tag's name is an
    /// environment of the project or a candidate tag of another manifest.
    case putManifest(ManifestRecord, tag: TagRecord?)
    /// Blobs linked into a project (idempotent). `notFound` without the project.
    case linkBlobs(project: String, [BlobLink])
}

/// Changes and the audit entries that record them: all of it, or (on any error) none.
public struct UnitOfWork: Sendable {
    public var changes: [MetadataChange]
    public var audit: [AuditDraft]

    public init(_ changes: [MetadataChange], audit: [AuditDraft] = []) {
        self.changes = changes
        self.audit = audit
    }

    /// What the unit records, for error messages ("candidate 2.4.0-rc.1 of acme/checkout, …").
    public var summary: String {
        changes.map { change in
            switch change {
            case .insertCandidate(let c): "candidate \(c.tag) of \(c.project)"
            case .putManifest(let m, _): "manifest \(m.digest) of \(m.project)"
            case .linkBlobs(let project, let links): "\(links.count == 1 ? "blob \(links[0].digest)" : "\(links.count) blobs") of \(project)"
            }
        }.joined(separator: ", ")
    }
}

/// Executes units of work.
public protocol UnitOfWorkStore: Sendable {
    /// Executes the changes in order, then appends the audit entries after the chain's
    /// current head, in one transaction: on any error nothing of the unit is recorded.
    func apply(_ work: UnitOfWork) async throws
}

extension UnitOfWorkStore {
    /// Records a new candidate with its audit entries (`MetadataChange.insertCandidate`).
    public func insertCandidate(_ candidate: CandidateRecord, audit: [AuditDraft]) async throws {
        try await apply(UnitOfWork([.insertCandidate(candidate)], audit: audit))
    }

    /// Records a manifest, and the plain tag when given, with its audit entries
    /// (`MetadataChange.putManifest`).
    public func putManifest(_ manifest: ManifestRecord, tag: TagRecord?, audit: [AuditDraft]) async throws {
        try await apply(UnitOfWork([.putManifest(manifest, tag: tag)], audit: audit))
    }

    /// Links blobs into a project (`MetadataChange.linkBlobs`).
    public func linkBlobs(project: String, _ links: [BlobLink]) async throws {
        try await apply(UnitOfWork([.linkBlobs(project: project, links)]))
    }
}
