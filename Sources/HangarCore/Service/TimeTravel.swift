import Foundation

/// What an environment ran at an instant, with the evidence for it.
public struct TimeTravelAnswer: Codable, Sendable {
    public var candidate: CandidateRecord
    public var deployment: DeploymentRecord
    public var auditEntry: AuditEntry
    /// Inclusion proof of the move's audit entry in the whole log now.
    public var proof: InclusionProof
    /// The move's signature and the candidate's provenance, checked with the store's key.
    public var verification: VerificationReport
}

extension HangarService {
    /// What `environment` pointed to at `time`, the move that put it there, its signed
    /// statement and the candidate's provenance (both checked), and the inclusion proof
    /// of the move's audit entry.
    func timeTravel(_ project: String, environment: String, at time: Date) async throws -> TimeTravelAnswer {
        guard let move = try await history(project, environment: environment, at: time).first?.deployment else {
            throw HangarError.notFound("\(environment) of \(project) had no candidate at \(Timestamp.format(time))")
        }
        guard let c = try await metadata.candidate(project: project, digest: move.to) else {
            throw HangarError.integrity("move \(move.id) names \(move.to), which is not a candidate of \(project)")
        }
        let key = try requireSigningKey()
        let (proof, entry) = try await proveInclusion(seq: move.auditSeq)
        var report = VerificationReport(subject: "\(project) \(environment) at \(Timestamp.format(time))")
        await report.run("move \(move.id) signature") { try await checkDeploymentSignature(move, tag: c.tag, key) }
        report.record("move \(move.id) audit entry", DeploymentAudit.mismatches(move, entry).isEmpty && proof.verify(entry: entry, root: proof.rootHash),
                      "entry \(entry.seq) agrees with the record and is proven in the log")
        let full = try await verifyCandidate(project, ref: c.digest.description, key: key)
        report.checks += full.checks.filter { $0.check == "provenance" || $0.check == "manifest" }
        return TimeTravelAnswer(candidate: c, deployment: move, auditEntry: entry, proof: proof, verification: report)
    }
}
