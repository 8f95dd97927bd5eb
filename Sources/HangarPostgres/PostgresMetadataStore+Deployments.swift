import Foundation
import HangarCore

extension PostgresMetadataStore {
    /// Also throws `notFound` when `draft.to` is not a candidate of the project (a pointer
    /// never names something missing) and `invalidInput` when `audit` is empty.
    public func movePointer(project: String, environment: String, expectedGeneration: Int64,
                            draft: DeploymentDraft, audit: [AuditDraft]) async throws -> DeploymentRecord {
        guard !audit.isEmpty else {
            throw HangarError.invalid("moving environment \(environment) of \(project) needs an audit entry to record it")
        }
        return try await write("cannot move environment \(environment) of \(project) to \(draft.to)") { sql in
            let (from, generation) = try await Self.pointer(project: project, environment: environment, in: sql)
            guard generation == expectedGeneration else {
                throw HangarError.conflict("environment \(environment) of \(project) moved (generation \(generation), expected \(expectedGeneration))")
            }
            guard try await Self.candidateExists(draft.to, of: project, in: sql) else {
                throw HangarError.notFound("candidate \(draft.to) of project \(project) not found: environment \(environment) cannot point at it")
            }
            if let row = try await sql.one("SELECT * FROM collected_candidates WHERE project = ? AND digest = ?", [project, draft.to.description]) {
                throw CollectedCandidate.refusal(try PostgresRows.collected(row), environment: environment)
            }
            // The compare-and-swap is the statement itself, not the read above.
            guard try await sql.execute("""
                UPDATE environments SET current_digest = ?, generation = ?, updated_at = ?, updated_by = ?
                WHERE project = ? AND name = ? AND generation = ? RETURNING 1
                """, [draft.to.description, generation + 1, PostgresRows.ms(draft.at), draft.actor, project, environment,
                      expectedGeneration]) == 1 else {
                throw HangarError.conflict("environment \(environment) of \(project) moved (expected generation \(expectedGeneration))")
            }
            let entries = try await Self.append(audit, in: sql)
            try await Self.notifyChanged(project, in: sql)
            guard let row = try await sql.one("""
                INSERT INTO deployments (project, environment, from_digest, to_digest, kind, actor, at, reason, overridden, audit_seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """, [project, environment, from?.description, draft.to.description, draft.kind.rawValue, draft.actor,
                      PostgresRows.ms(draft.at), draft.reason, PostgresRows.jsonText(draft.overridden), entries[0].seq]) else {
                throw HangarError(.io, "the database returned no id for the move of \(environment)")
            }
            let id = try row.int64("id")
            if let statement = draft.statement {
                try await sql.execute("INSERT INTO move_statements (deployment_id, digest, envelope) VALUES (?, ?, decode(?, 'hex'))",
                                      [id, SHA256Hasher.digest(statement).description, Hex.encode(statement)])
            }
            return DeploymentRecord(
                id: id, project: project, environment: environment, from: from, to: draft.to,
                kind: draft.kind, actor: draft.actor, at: Timestamp.round(draft.at), reason: draft.reason,
                overridden: draft.overridden, auditSeq: entries[0].seq)
        }
    }

    public func deployments(project: String, environment: String?, before: Date?, limit: Int?) async throws -> [DeploymentRecord] {
        if let limit, limit <= 0 { return [] }
        return try await deploymentPage(project: project, environment: environment, to: nil, before: before, beforeID: nil, limit: limit)
    }

    public func deployments(project: String, environment: String?, to: Digest?, beforeID: Int64?, limit: Int) async throws -> [DeploymentRecord] {
        if limit <= 0 { return [] }
        return try await deploymentPage(project: project, environment: environment, to: to, before: nil, beforeID: beforeID, limit: limit)
    }

    /// `ORDER BY id DESC` under the given conditions (no `limit`: all).
    private func deploymentPage(project: String, environment: String?, to: Digest?, before: Date?, beforeID: Int64?,
                                limit: Int?) async throws -> [DeploymentRecord] {
        var conditions = ["project = ?"]
        var values: [any SQLBindable] = [project]
        for (column, value) in [("environment = ?", environment), ("to_digest = ?", to?.description)] {
            if let value {
                conditions.append(column)
                values.append(value)
            }
        }
        if let before {
            conditions.append("at <= ?")
            values.append(PostgresRows.ms(before))
        }
        if let beforeID {
            conditions.append("id < ?")
            values.append(beforeID)
        }
        values.append(limit)
        let query = "SELECT * FROM deployments WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?"
        let bound = values
        return try await readOne("cannot read the deployments of \(project)") { sql in
            try await sql.query(query, bound).map(PostgresRows.deployment)
        }
    }

    public func moveStatement(project: String, deploymentID: Int64) async throws -> [UInt8]? {
        try await readOne("cannot read the statement of move \(deploymentID) of \(project)") { sql in
            try await sql.one("""
                SELECT encode(s.envelope, 'hex') AS envelope FROM move_statements s JOIN deployments d ON d.id = s.deployment_id
                WHERE d.project = ? AND d.id = ?
                """, [project, deploymentID]).map { row -> [UInt8] in
                    guard let bytes = Hex.decode(try row.string("envelope")) else {
                        throw HangarError.integrity("the statement of move \(deploymentID) is not readable")
                    }
                    return bytes
                }
        }
    }

    public func firstArrival(project: String, environment: String, candidate: Digest) async throws -> Date? {
        try await readOne("cannot read when \(candidate) reached \(environment) of \(project)") { sql in
            try await sql.one("SELECT MIN(at) AS first FROM deployments WHERE project = ? AND environment = ? AND to_digest = ?",
                              [project, environment, candidate.description])?.optionalInt64("first").map { Timestamp.date(milliseconds: $0) }
        }
    }

    /// Also throws `notFound` when the environment or the candidate does not exist, and
    /// `conflict` when the actor already approved.
    public func addApproval(_ approval: ApprovalRecord, audit: AuditDraft) async throws {
        let a = approval
        try await write("cannot record the approval of \(a.candidate) for \(a.environment) of \(a.project)") { sql in
            _ = try await Self.pointer(project: a.project, environment: a.environment, in: sql)
            guard try await Self.candidateExists(a.candidate, of: a.project, in: sql) else {
                throw HangarError.notFound("candidate \(a.candidate) of project \(a.project) not found")
            }
            try await sql.execute("INSERT INTO approvals (project, environment, candidate, actor, at, comment) VALUES (?, ?, ?, ?, ?, ?)",
                                  [a.project, a.environment, a.candidate.description, a.actor, PostgresRows.ms(a.at), a.comment])
            _ = try await Self.append([audit], in: sql)
        }
    }

    public func approvals(project: String, environment: String, candidate: Digest) async throws -> [ApprovalRecord] {
        try await readOne("cannot read the approvals of \(candidate) for \(environment) of \(project)") { sql in
            try await sql.query("SELECT * FROM approvals WHERE project = ? AND environment = ? AND candidate = ? ORDER BY at, id",
                                [project, environment, candidate.description]).map(PostgresRows.approval)
        }
    }

    public func approvals(project: String) async throws -> [ApprovalRecord] {
        try await readOne("cannot read the approvals of \(project)") { sql in
            try await sql.query("SELECT * FROM approvals WHERE project = ? ORDER BY id", [project]).map(PostgresRows.approval)
        }
    }

    /// The environment's current pointer and generation; `notFound` naming both if absent.
    private static func pointer(project: String, environment: String, in sql: SQL) async throws -> (Digest?, Int64) {
        guard let row = try await sql.one("SELECT current_digest, generation FROM environments WHERE project = ? AND name = ?",
                                          [project, environment]) else {
            throw HangarError.notFound("environment \(environment) of project \(project) not found")
        }
        return (try PostgresRows.optionalDigest(row, "current_digest"), try row.int64("generation"))
    }
}
