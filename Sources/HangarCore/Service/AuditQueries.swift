import Foundation

/// The result of `audit verify`.
public struct AuditVerification: Codable, Sendable {
    public var entries: Int64
    /// Hash of the last entry (the head of the chain), for an operator to note down.
    public var head: String
    public var breaks: [AuditChain.Break]
    /// Deployment rows that disagree with the audit entry that recorded them.
    public var deploymentMismatches: [String]
    /// Rows of the state (projects, environments and their pointers, candidates, tokens,
    /// approvals) that disagree with what the audit log says they are.
    public var stateMismatches: [String]
    public var ok: Bool { breaks.isEmpty && deploymentMismatches.isEmpty && stateMismatches.isEmpty }
    /// How many problems there are in all.
    public var problems: Int { breaks.count + deploymentMismatches.count + stateMismatches.count }
}

extension HangarService {
    /// Audit entries in sequence order (of one project when given).
    func auditLog(project: String?, after: Int64 = 0, limit: Int = 1000) async throws -> [AuditEntry] {
        guard let project else { return try await metadata.auditEntries(after: after, limit: limit) }
        try Names.checkProject(project)
        return try await metadata.auditEntries(project: project, after: after, limit: limit)
    }

    /// Walks the whole chain, checking every entry's hash and link, then checks each
    /// deployment row against the audit entry that recorded it, and the state against the
    /// state the log replays to (`LedgerProjection`).
    func verifyAudit() async throws -> AuditVerification {
        var breaks: [AuditChain.Break] = []
        var previous: (seq: Int64, hash: String)?
        var entries: [Int64: AuditEntry] = [:]
        var count: Int64 = 0
        var projection = LedgerProjection()
        var tree = MerkleNodes.Builder()
        var nodeMismatches: [String] = []
        while true {
            let page = try await metadata.auditEntries(after: previous?.seq ?? 0, limit: 1000)
            guard let last = page.last else { break }
            breaks += AuditChain.verify(page, after: previous)
            for e in page { projection.apply(e) }
            nodeMismatches += try await checkNodes(page, &tree)
            for e in page where e.action == AuditAction.promotion.rawValue || e.action == AuditAction.rollback.rawValue {
                entries[e.seq] = e
            }
            count += Int64(page.count)
            previous = (last.seq, last.hash)
        }
        var mismatches: [String] = []
        let deployments = try await metadata.allDeployments()
        for seq in Set(entries.keys).subtracting(deployments.map(\.auditSeq)).sorted() {
            mismatches.append("audit entry \(seq) records a move of \(entries[seq]?.details["environment"] ?? "?") with no deployment row")
        }
        for d in deployments {
            guard let e = entries[d.auditSeq] else {
                mismatches.append("deployment \(d.id) (\(d.project) \(d.environment)) points at audit entry \(d.auditSeq), which is not a pointer move")
                continue
            }
            mismatches += DeploymentAudit.mismatches(d, e).map { "deployment \(d.id) (\(d.project) \(d.environment)): \($0)" }
        }
        return AuditVerification(entries: count, head: previous?.hash ?? AuditChain.genesis, breaks: breaks,
                                 deploymentMismatches: mismatches,
                                 stateMismatches: nodeMismatches + (try await projection.differences(from: metadata)))
    }

    /// The stored Merkle nodes `page` completes, compared with the ones its entries make
    /// (checkpoints and inclusion proofs are built from the stored ones).
    private func checkNodes(_ page: [AuditEntry], _ tree: inout MerkleNodes.Builder) async throws -> [String] {
        var made: [(MerkleNodeKey, MerkleTree.Hash)] = []
        for e in page where e.seq == tree.count + 1 { made += try tree.append(TransparencyLog.leafHash(e)) }
        let stored = try await metadata.merkleNodes(made.map(\.0))
        return made.filter { stored[$0.0] != $0.1 }.prefix(20).map { key, _ in
            "Merkle node (\(key.level), \(key.index)) \(stored[key] == nil ? "is missing" : "does not match the entries"): checkpoints and proofs would not describe this log"
        }
    }
}
