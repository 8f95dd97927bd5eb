import Foundation

// MARK: The auditor's operations

extension Operations {
    /// Audit entries, of one project or all (audit).
    public func auditLog(project: String?, after: Int64 = 0, limit: Int = 1000) async throws -> [AuditEntry] {
        try authorize(.audit, project: project)
        return try await service.auditLog(project: project, after: after, limit: limit)
    }

    /// Walks the whole chain (audit of every project).
    public func verifyAudit() async throws -> AuditVerification {
        try authorize(.audit, project: nil)
        return try await service.verifyAudit()
    }

    /// A signed checkpoint of the log now (audit of every project).
    public func checkpoint() async throws -> SignedCheckpoint {
        try authorize(.audit, project: nil)
        return try await service.checkpoint()
    }

    public func proveInclusion(seq: Int64, treeSize: Int64? = nil) async throws -> (InclusionProof, AuditEntry) {
        try authorize(.audit, project: nil)
        return try await service.proveInclusion(seq: seq, treeSize: treeSize)
    }

    public func proveConsistency(from oldSize: Int64) async throws -> ConsistencyProof {
        try authorize(.audit, project: nil)
        return try await service.proveConsistency(from: oldSize)
    }

    /// The store's signing key, for its public half (audit).
    public func signingKey() throws -> SigningKey {
        try authorize(.audit, project: nil)
        guard let key = service.signingKey else { throw HangarError.notFound("this store has no signing key") }
        return key
    }

    /// What an environment ran at a time, with evidence (audit in that environment).
    public func timeTravel(_ project: String, environment: String, at time: Date) async throws -> TimeTravelAnswer {
        try authorize(.audit, project: project, environment: environment)
        return try await service.timeTravel(project, environment: environment, at: time)
    }

    /// Checks a candidate's provenance and moves with `key` (audit).
    public func verifyCandidate(_ project: String, ref: String, key: SigningKey) async throws -> VerificationReport {
        try authorize(.audit, project: project)
        return try await service.verifyCandidate(project, ref: ref, key: key)
    }

    /// Writes a candidate's offline evidence bundle (audit).
    public func writeEvidence(_ project: String, ref: String,
                              into sink: (UnsafeRawBufferPointer) throws -> Void) async throws -> EvidenceBundle.Index {
        try authorize(.audit, project: project)
        return try await service.writeEvidence(project, ref: ref, into: sink)
    }

    /// A candidate's evidence bundle, in memory (it holds records and proofs, no artifact bytes).
    public func evidenceBundle(_ project: String, ref: String) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        _ = try await writeEvidence(project, ref: ref) { bytes += $0 }
        return bytes
    }

    /// The store's public key (audit).
    public func publicKey() async throws -> SigningKey {
        try signingKey()
    }

    /// Refused requests, newest first (audit of every project).
    public func securityEvents(since: Date, limit: Int) async throws -> [SecurityEvent] {
        try authorize(.audit, project: nil)
        return try await service.metadata.securityEvents(since: since, limit: limit)
    }
}
