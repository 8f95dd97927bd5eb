import Foundation
import GRDB
import HangarCore

extension SQLiteMetadataStore {
    /// A few indexed statements per environment at most, in one read transaction: a WAL
    /// snapshot, whatever writers do meanwhile.
    public func snapshot(project: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot? {
        let (c, d) = (max(0, candidates), max(0, deployments))
        return try await read("cannot read the state of \(project)") { db in
            guard let record = try Row.fetchOne(db, sql: "SELECT * FROM projects WHERE name = ?",
                                                arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.project) else { return nil }
            let environments = try Row.fetchAll(db, sql: "SELECT * FROM environments WHERE project = ? ORDER BY position",
                                                arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.environment)
            var listed = c == 0 ? [] : try Self.fetchCandidates(db, where: """
                project = ? AND id IN (SELECT id FROM candidates WHERE project = ? ORDER BY created_at DESC, id DESC LIMIT ?)
                """, [project, project, c])
            for digest in Set(environments.compactMap(\.current)) where !listed.contains(where: { $0.digest == digest }) {
                listed += try Self.fetchCandidates(db, where: "project = ? AND digest = ?", [project, digest.description])
            }
            listed.sort { ($0.createdAt, $0.tag) > ($1.createdAt, $1.tag) }
            var moves = d == 0 ? [] : try Row.fetchAll(db, sql: "SELECT * FROM deployments WHERE project = ? ORDER BY id DESC LIMIT ?",
                                                       arguments: try SQLiteRows.arguments([project, d])).map(SQLiteRows.deployment)
            for env in environments where !moves.contains(where: { $0.environment == env.name }) {
                moves += try Row.fetchAll(db, sql: "SELECT * FROM deployments WHERE project = ? AND environment = ? ORDER BY id DESC LIMIT 1",
                                          arguments: try SQLiteRows.arguments([project, env.name])).map(SQLiteRows.deployment)
            }
            moves.sort { $0.id > $1.id }
            var reports: [String: DeploymentReport] = [:]
            for env in environments {
                guard let move = moves.first(where: { $0.environment == env.name }) else { continue }
                reports[env.name] = try Row.fetchOne(db, sql: """
                    SELECT r.*, d.project, d.environment FROM deployment_reports r JOIN deployments d ON d.id = r.deployment_id
                    WHERE r.deployment_id = ? ORDER BY r.id DESC LIMIT 1
                    """, arguments: [move.id]).map(SQLiteRows.report)
            }
            // Lists bound as JSON arrays; the arrivals read goes by the digest index (the
            // planner would otherwise walk the project's whole history in GROUP BY order).
            let digests = "SELECT value FROM json_each(?)"
            let listedJSON = SQLiteRows.jsonText(listed.map(\.digest.description))
            let environmentsJSON = SQLiteRows.jsonText(environments.map(\.name))
            let approvals = try Row.fetchAll(db, sql: """
                SELECT * FROM approvals WHERE project = ? AND environment IN (\(digests)) AND candidate IN (\(digests)) ORDER BY id
                """, arguments: try SQLiteRows.arguments([project, environmentsJSON, listedJSON])).map(SQLiteRows.approval)
            var arrivals: [String: [Digest: Date]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT environment, to_digest, MIN(at) AS first FROM deployments INDEXED BY deployments_by_digest
                WHERE project = ? AND to_digest IN (\(digests)) GROUP BY environment, to_digest
                """, arguments: try SQLiteRows.arguments([project, listedJSON])) {
                arrivals[row["environment"], default: [:]][try SQLiteRows.digest(row, "to_digest")] = try SQLiteRows.date(row, "first")
            }
            return ProjectSnapshot(project: record, environments: environments, candidates: listed, deployments: moves,
                                   reports: reports, approvals: approvals, arrivals: arrivals)
        }
    }
}
