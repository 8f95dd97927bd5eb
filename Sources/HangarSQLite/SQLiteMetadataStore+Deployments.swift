import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// Also throws `notFound` when `draft.to` is not a candidate of the project (a pointer
    /// never names something missing) and `invalidInput` when `audit` is empty.
    public func movePointer(project: String, environment: String, expectedGeneration: Int64,
                            draft: DeploymentDraft, audit: [AuditDraft]) async throws -> DeploymentRecord {
        guard !audit.isEmpty else {
            throw HangarError.invalid("moving environment \(environment) of \(project) needs an audit entry to record it")
        }
        return try await write("cannot move environment \(environment) of \(project) to \(draft.to)") { db in
            let (from, generation) = try Self.pointer(project: project, environment: environment, in: db)
            guard generation == expectedGeneration else {
                throw HangarError.conflict("environment \(environment) of \(project) moved (generation \(generation), expected \(expectedGeneration))")
            }
            guard try Self.candidateExists(draft.to, of: project, in: db) else {
                throw HangarError.notFound("candidate \(draft.to) of project \(project) not found: environment \(environment) cannot point at it")
            }
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM collected_candidates WHERE project = ? AND digest = ?",
                                          arguments: try SQLiteRows.arguments([project, draft.to.description])) {
                throw CollectedCandidate.refusal(try SQLiteRows.collected(row), environment: environment)
            }
            let entries = try Self.append(audit, in: db)
            let record = try Self.insertDeployment(project: project, environment: environment, from: from,
                                                   draft: draft, auditSeq: entries[0].seq, in: db)
            // The compare-and-swap is the statement itself, not the read above: it changes
            // the row only at the expected generation, whatever the isolation level.
            try db.execute(sql: """
                UPDATE environments SET current_digest = ?, generation = ?, updated_at = ?, updated_by = ?
                WHERE project = ? AND name = ? AND generation = ?
                """, arguments: try SQLiteRows.arguments([
                    draft.to.description, generation + 1, SQLiteRows.ms(draft.at), draft.actor, project, environment, expectedGeneration,
                ]))
            guard db.changesCount == 1 else {
                throw HangarError.conflict("environment \(environment) of \(project) moved (expected generation \(expectedGeneration))")
            }
            return record
        }
    }

    public func deployments(project: String, environment: String?, before: Date?, limit: Int?) async throws -> [DeploymentRecord] {
        if let limit, limit <= 0 { return [] }
        return try await deploymentPage(project: project, environment: environment, to: nil, before: before, beforeID: nil, limit: limit ?? -1)
    }

    public func deployments(project: String, environment: String?, to: Digest?, beforeID: Int64?, limit: Int) async throws -> [DeploymentRecord] {
        if limit <= 0 { return [] }
        return try await deploymentPage(project: project, environment: environment, to: to, before: nil, beforeID: beforeID, limit: limit)
    }

    /// `ORDER BY id DESC` under the given conditions (SQLite's `LIMIT -1`: no limit).
    private func deploymentPage(project: String, environment: String?, to: Digest?, before: Date?, beforeID: Int64?,
                                limit: Int) async throws -> [DeploymentRecord] {
        var conditions = ["project = ?"]
        var values: [(any DatabaseValueConvertible)?] = [project]
        for (column, value) in [("environment = ?", environment), ("to_digest = ?", to?.description)] {
            if let value {
                conditions.append(column)
                values.append(value)
            }
        }
        if let before {
            conditions.append("at <= ?")
            values.append(SQLiteRows.ms(before))
        }
        if let beforeID {
            conditions.append("id < ?")
            values.append(beforeID)
        }
        values.append(limit)
        let arguments = try SQLiteRows.arguments(values)
        let sql = "SELECT * FROM deployments WHERE \(conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT ?"
        return try await read("cannot read the deployments of \(project)") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteRows.deployment)
        }
    }

    public func moveStatement(project: String, deploymentID: Int64) async throws -> [UInt8]? {
        try await readOne("cannot read the statement of move \(deploymentID) of \(project)") { db in
            try Data.fetchOne(db.cachedStatement(sql: """
                SELECT s.envelope FROM move_statements s JOIN deployments d ON d.id = s.deployment_id WHERE d.project = ? AND d.id = ?
                """), arguments: try SQLiteRows.arguments([project, deploymentID])).map { Array($0) }
        }
    }

    public func firstArrival(project: String, environment: String, candidate: Digest) async throws -> Date? {
        try await readOne("cannot read when \(candidate) reached \(environment) of \(project)") { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT MIN(at) FROM deployments WHERE project = ? AND environment = ? AND to_digest = ?"),
                               arguments: try SQLiteRows.arguments([project, environment, candidate.description]))
                .map { Timestamp.date(milliseconds: $0) }
        }
    }

    /// Also throws `notFound` when the environment or the candidate does not exist.
    public func addApproval(_ approval: ApprovalRecord, audit: AuditDraft) async throws {
        let a = approval
        try await write("cannot record the approval of \(a.candidate) for \(a.environment) of \(a.project)") { db in
            _ = try Self.pointer(project: a.project, environment: a.environment, in: db)
            guard try Self.candidateExists(a.candidate, of: a.project, in: db) else {
                throw HangarError.notFound("candidate \(a.candidate) of project \(a.project) not found")
            }
            try db.execute(sql: """
                INSERT INTO approvals (project, environment, candidate, actor, at, comment) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: try SQLiteRows.arguments([a.project, a.environment, a.candidate.description, a.actor, SQLiteRows.ms(a.at), a.comment]))
            _ = try Self.append([audit], in: db)
        }
    }

    public func approvals(project: String, environment: String, candidate: Digest) async throws -> [ApprovalRecord] {
        try await read("cannot read the approvals of \(candidate) for \(environment) of \(project)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM approvals WHERE project = ? AND environment = ? AND candidate = ? ORDER BY at, id
                """, arguments: try SQLiteRows.arguments([project, environment, candidate.description])).map(SQLiteRows.approval)
        }
    }

    public func approvals(project: String) async throws -> [ApprovalRecord] {
        try await read("cannot read the approvals of \(project)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE project = ? ORDER BY id",
                             arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.approval)
        }
    }

    /// The environment's current pointer and generation; `notFound` naming both if absent.
    private static func pointer(project: String, environment: String, in db: Database) throws -> (Digest?, Int64) {
        guard let row = try Row.fetchOne(db, sql: "SELECT current_digest, generation FROM environments WHERE project = ? AND name = ?",
                                         arguments: try SQLiteRows.arguments([project, environment])) else {
            throw HangarError.notFound("environment \(environment) of project \(project) not found")
        }
        return (try SQLiteRows.optionalDigest(row, "current_digest"), try row.decode(Int64.self, forColumn: "generation"))
    }

    private static func insertDeployment(project: String, environment: String, from: Digest?, draft: DeploymentDraft,
                                         auditSeq: Int64, in db: Database) throws -> DeploymentRecord {
        try db.execute(sql: """
            INSERT INTO deployments (project, environment, from_digest, to_digest, kind, actor, at, reason, overridden, audit_seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: try SQLiteRows.arguments([
                project, environment, from?.description, draft.to.description, draft.kind.rawValue, draft.actor,
                SQLiteRows.ms(draft.at), draft.reason, SQLiteRows.jsonText(draft.overridden), auditSeq,
            ]))
        let id = db.lastInsertedRowID
        if let statement = draft.statement {
            try db.execute(sql: "INSERT INTO move_statements (deployment_id, digest, envelope) VALUES (?, ?, ?)",
                           arguments: [id, SHA256Hasher.digest(statement).description, Data(statement)])
        }
        return DeploymentRecord(
            id: id, project: project, environment: environment, from: from, to: draft.to,
            kind: draft.kind, actor: draft.actor, at: Timestamp.round(draft.at), reason: draft.reason,
            overridden: draft.overridden, auditSeq: auditSeq)
    }
}
