import Foundation

/// Everything the `hangar` CLI asks of a store, local or remote: one protocol, two
/// implementations. `Operations` answers in-process on the embedded store for a local
/// principal; the HTTP client answers through a `hangar serve` (native API `/api/v1`,
/// blobs over `/v2`), where the server acts for the caller's token. Both check the same
/// role rules, in the core.
public protocol HangarClient: Sendable {
    func createProject(_ name: String, environments: [String], singleStep: Bool) async throws -> ProjectInfo
    func setSingleStep(_ name: String, _ on: Bool) async throws -> ProjectInfo
    func setPolicy(_ project: String, environment: String, policy: EnvironmentPolicy) async throws -> ProjectInfo
    func projectInfo(_ name: String) async throws -> ProjectInfo
    func projects() async throws -> [ProjectRecord]

    /// Archives a build output and stores it (locally, or uploading only if the server
    /// does not have the digest yet).
    func storeArtifact(name: String, path: String, compression: ArchiveCompression, project: String?,
                       progress: ProgressHandler?) async throws -> ArtifactUpload
    func cut(_ request: CutRequest) async throws -> CutResult
    func cherryPick(_ request: CutRequest) async throws -> CutResult

    func promote(_ project: String, ref: String, to environment: String, options: MoveOptions) async throws -> MoveOutcome
    func rollback(_ project: String, environment: String, to ref: String?, options: MoveOptions) async throws -> MoveOutcome
    func approve(_ project: String, ref: String, environment: String, comment: String?) async throws -> ApprovalRecord

    func status(_ project: String) async throws -> [EnvironmentStatus]
    func candidates(_ project: String, version: String?, limit: Int) async throws -> [CandidateSummary]
    /// The environment's status once its generation is no longer `generation` or its newest
    /// report no longer has the fingerprint `report`, else after about `timeout` seconds.
    func watch(_ project: String, environment: String, generation: Int64, report: String?, timeout: Int) async throws -> EnvironmentStatus
    func history(_ project: String, environment: String?, at: Date?, limit: Int?) async throws -> [HistoryEntry]
    func show(_ project: String, ref: String) async throws -> CandidateDetails
    func diff(_ project: String, from: String, to: String) async throws -> CandidateDiff

    /// Fetches, verifies and atomically extracts a candidate's artifacts; a non-empty
    /// target folder fetch did not make is replaced only with `replace` (`TargetOwnership`).
    func fetch(_ project: String, ref: String, to target: String, artifact: String?, replace: Bool, limits: ExtractionLimits,
               progress: ProgressHandler?) async throws -> FetchResult

    func auditLog(project: String?, after: Int64, limit: Int) async throws -> [AuditEntry]
    func verifyAudit() async throws -> AuditVerification
    func checkpoint() async throws -> SignedCheckpoint
    func proveInclusion(seq: Int64, treeSize: Int64?) async throws -> (InclusionProof, AuditEntry)
    func proveConsistency(from oldSize: Int64) async throws -> ConsistencyProof
    /// The store's public key (a local store's key pair; a server sends only the public half).
    func publicKey() async throws -> SigningKey
    func timeTravel(_ project: String, environment: String, at time: Date) async throws -> TimeTravelAnswer
    /// The candidate's offline evidence bundle (a tar of records and proofs, no artifact bytes).
    func evidenceBundle(_ project: String, ref: String) async throws -> [UInt8]
    /// Checks a candidate with the key the caller trusts: in-process, its signatures,
    /// provenance, moves and blob bytes; against a server, its evidence bundle, offline.
    func verifyCandidate(_ project: String, ref: String, key: SigningKey) async throws -> VerificationReport

    func tokens() async throws -> [TokenView]
    func createToken(_ request: TokenRequest) async throws -> IssuedToken
    func revokeToken(id: String) async throws -> TokenView

    func retentionRules(_ project: String) async throws -> RetentionAnswer
    func setRetentionRules(_ project: String, _ rules: RetentionRules) async throws -> RetentionRules
    /// Collects what the retention rules let go (or lists it, `dryRun`); `progress` gets
    /// blobs looked at and deleted so far (local stores only).
    func collectGarbage(dryRun: Bool, project: String?, grace: TimeInterval,
                        progress: (@Sendable (Int, Int) -> Void)?) async throws -> CollectionReport
}

extension Operations: HangarClient {
    /// A local store wakes on this process's changes; another process's (a server on the
    /// same store) are seen within a second.
    public func watch(_ project: String, environment: String, generation: Int64, report: String?, timeout: Int) async throws -> EnvironmentStatus {
        try await watch(project, environment: environment, generation: generation, report: report, timeout: timeout, recheck: .seconds(1))
    }
}

extension HangarClient {
    /// Checks the store's log against a checkpoint kept earlier (`CheckpointCheck`).
    public func verifyAgainst(_ signed: SignedCheckpoint, key: SigningKey) async throws -> ConsistencyProof {
        try await CheckpointCheck.verify(signed, key: key) { try await proveConsistency(from: $0) }
    }
}
