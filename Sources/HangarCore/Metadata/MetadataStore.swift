import Foundation

/// Projects and their ordered environments.
public protocol ProjectCatalog: Sendable {
    /// Creates a project with its environments (positions 0…n-1 in order, distinct names,
    /// pointing at nothing yet) and appends `audit`, in one transaction. Throws `conflict`
    /// if the project exists, `invalidInput` for environments not of that shape.
    func createProject(_ project: ProjectRecord, environments: [EnvironmentRecord], audit: AuditDraft) async throws
    /// Replaces the project's settings (`singleStep`; not its environments, creation time
    /// or creator). Throws `notFound`.
    func updateProject(_ project: ProjectRecord, audit: AuditDraft) async throws
    /// The project, or nil.
    func project(_ name: String) async throws -> ProjectRecord?
    /// Every project, by name.
    func projects() async throws -> [ProjectRecord]
    /// The project's environments ordered by position (empty if no such project).
    func environments(project: String) async throws -> [EnvironmentRecord]
    /// Replaces one environment's policy. Throws `notFound`.
    func setPolicy(project: String, environment: String, policy: EnvironmentPolicy, audit: AuditDraft) async throws
}

/// The index of immutable candidates.
public protocol CandidateCatalog: Sendable {
    // New candidates are recorded by a unit of work (`MetadataChange.insertCandidate`).
    /// The candidate with this tag, or nil.
    func candidate(project: String, tag: String) async throws -> CandidateRecord?
    /// The candidate whose manifest has this digest, or nil.
    func candidate(project: String, digest: Digest) async throws -> CandidateRecord?
    /// The project's candidates (of one version when given), oldest first.
    func candidates(project: String, version: String?) async throws -> [CandidateRecord]
    /// Whether the project has any candidate (a repository that is used as a Hangar project).
    func hasCandidates(project: String) async throws -> Bool
}

/// Environment pointers and their append-only history.
public protocol DeploymentLedger: Sendable {
    /// Moves the pointer of `environment` to `draft.to` if and only if its generation is
    /// still `expectedGeneration` (compare-and-swap), records the deployment and appends
    /// `audit` (whose first entry is the one the deployment points at; at least one), all
    /// in one transaction. Throws `conflict` when the generation moved; `notFound` when
    /// there is no such environment or no such candidate (no pointer to something missing).
    func movePointer(project: String, environment: String, expectedGeneration: Int64,
                     draft: DeploymentDraft, audit: [AuditDraft]) async throws -> DeploymentRecord
    /// Deployments, newest first (in the order they were recorded, which is the truth even
    /// when clocks of several servers disagree); of one environment when given; only those
    /// at or before `before` when given; at most `limit`.
    func deployments(project: String, environment: String?, before: Date?, limit: Int?) async throws -> [DeploymentRecord]
    /// A page of history, newest first (recorded order): of one environment and of moves
    /// to one manifest when given, with ids below `beforeID` when given, at most `limit`;
    /// each page one indexed read, whatever the length of the history.
    func deployments(project: String, environment: String?, to: Digest?, beforeID: Int64?, limit: Int) async throws -> [DeploymentRecord]
    /// The signed statement recorded with a move of the project (`DeploymentDraft.statement`),
    /// or nil (none was given, or the move was recorded before statements were kept here).
    func moveStatement(project: String, deploymentID: Int64) async throws -> [UInt8]?
    /// When `candidate` first reached `environment` (the earliest deployment to it), or nil
    /// when it never did: one indexed lookup, whatever the length of the history.
    func firstArrival(project: String, environment: String, candidate: Digest) async throws -> Date?
    /// Records an approval and appends `audit`, in one transaction. `conflict` (nothing
    /// recorded) when the same actor already approved that candidate for that environment.
    func addApproval(_ approval: ApprovalRecord, audit: AuditDraft) async throws
    /// Approvals of a candidate for an environment, oldest first.
    func approvals(project: String, environment: String, candidate: Digest) async throws -> [ApprovalRecord]
    /// Every approval of a project (for `audit verify`).
    func approvals(project: String) async throws -> [ApprovalRecord]
}

/// The append-only, hash-chained audit log, with its Merkle tree's nodes stored as it grows
/// (`MerkleNodes`).
public protocol AuditStore: MerkleNodeStore {
    /// Seals and appends entries in one transaction, after the current last entry, storing
    /// the Merkle nodes each one completes in the same transaction.
    @discardableResult
    func appendAudit(_ drafts: [AuditDraft]) async throws -> [AuditEntry]
    /// Entries with `seq > after`, in sequence order, at most `limit`.
    func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry]
    /// How many entries the log has (the last one's seq).
    func auditSize() async throws -> Int64
    /// The entries of one project with `seq > after`, in sequence order, at most `limit`
    /// (an indexed read: no walk through other projects' entries).
    func auditEntries(project: String, after: Int64, limit: Int) async throws -> [AuditEntry]
    /// The entries of one project about one subject (a candidate's digest, a tag, an
    /// environment), in sequence order, at most `limit`: an indexed read.
    func auditEntries(project: String, subject: String, limit: Int) async throws -> [AuditEntry]
    /// Every deployment record with the audit entry it points at (for cross-checking).
    func allDeployments() async throws -> [DeploymentRecord]
}

/// Everything Hangar keeps besides blob bytes. Backends: SQLite (embedded default) and
/// PostgreSQL. Every backend runs `MetadataStoreConformance`. Every mutation that appends
/// audit entries does so in the same transaction as the change it records.
public protocol MetadataStore: UnitOfWorkStore, ProjectReadModel, ProjectCatalog, CandidateCatalog, DeploymentLedger, AuditStore,
    TokenStore, ManifestIndex, DeploymentReports, SecurityLogStore, BlobReferences, UploadSessionStore, CollectionStore {}
