import Foundation

/// The result of `audit verify`.
public struct AuditVerification: Codable, Sendable {
    public var entries: Int64
    /// Hash of the last entry (the head of the chain), for an operator to note down.
    public var head: String
    public var breaks: [AuditChain.Break]
    /// Deployment rows that disagree with the audit entry that recorded them.
    public var deploymentMismatches: [String]
    public var ok: Bool { breaks.isEmpty && deploymentMismatches.isEmpty }
}

extension HangarService {
    /// Audit entries in sequence order (of one project when given).
    public func auditLog(project: String?, after: Int64 = 0, limit: Int = 1000) async throws -> [AuditEntry] {
        guard let project else { return try await metadata.auditEntries(after: after, limit: limit) }
        try Names.checkProject(project)
        return try await metadata.auditEntries(project: project, after: after, limit: limit)
    }

    /// Walks the whole chain, checking every entry's hash and link, then checks each
    /// deployment row against the audit entry that recorded it.
    public func verifyAudit() async throws -> AuditVerification {
        var breaks: [AuditChain.Break] = []
        var previous: (seq: Int64, hash: String)?
        var entries: [Int64: AuditEntry] = [:]
        var count: Int64 = 0
        while true {
            let page = try await metadata.auditEntries(after: previous?.seq ?? 0, limit: 1000)
            guard let last = page.last else { break }
            breaks += AuditChain.verify(page, after: previous)
            for e in page where e.action == AuditAction.promotion.rawValue || e.action == AuditAction.rollback.rawValue {
                entries[e.seq] = e
            }
            count += Int64(page.count)
            previous = (last.seq, last.hash)
        }
        var mismatches: [String] = []
        for d in try await metadata.allDeployments() {
            guard let e = entries[d.auditSeq] else {
                mismatches.append("deployment \(d.id) (\(d.project) \(d.environment)) points at audit entry \(d.auditSeq), which is not a pointer move")
                continue
            }
            mismatches += DeploymentAudit.mismatches(d, e).map { "deployment \(d.id) (\(d.project) \(d.environment)): \($0)" }
        }
        return AuditVerification(entries: count, head: previous?.hash ?? AuditChain.genesis, breaks: breaks, deploymentMismatches: mismatches)
    }
}
