import Foundation
import GRDB
import HangarCore

extension SQLiteMetadataStore {
    /// Six statements (and one per environment for its report) in one read transaction: a
    /// WAL snapshot, whatever writers do meanwhile.
    public func snapshot(project: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot? {
        let (c, d) = (max(0, candidates), max(0, deployments))
        return try await read("cannot read the state of \(project)") { db in
            guard let record = try Row.fetchOne(db, sql: "SELECT * FROM projects WHERE name = ?",
                                                arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.project) else { return nil }
            let environments = try Row.fetchAll(db, sql: "SELECT * FROM environments WHERE project = ? ORDER BY position",
                                                arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.environment)
            let listed = try Self.fetchCandidates(db, where: """
                project = ? AND (id IN (SELECT id FROM candidates WHERE project = ? ORDER BY id DESC LIMIT ?)
                    OR digest IN (SELECT current_digest FROM environments WHERE project = ?))
                """, [project, project, c, project]).reversed()
            let moves = try Row.fetchAll(db, sql: """
                SELECT * FROM deployments WHERE project = ? AND (id IN (SELECT id FROM deployments WHERE project = ? ORDER BY id DESC LIMIT ?)
                    OR id IN (SELECT MAX(id) FROM deployments WHERE project = ? GROUP BY environment))
                ORDER BY id DESC
                """, arguments: try SQLiteRows.arguments([project, project, d, project])).map(SQLiteRows.deployment)
            var reports: [String: DeploymentReport] = [:]
            for env in environments {
                guard let move = moves.first(where: { $0.environment == env.name }) else { continue }
                reports[env.name] = try Row.fetchOne(db, sql: """
                    SELECT r.*, d.project, d.environment FROM deployment_reports r JOIN deployments d ON d.id = r.deployment_id
                    WHERE r.deployment_id = ? ORDER BY r.id DESC LIMIT 1
                    """, arguments: [move.id]).map(SQLiteRows.report)
            }
            let digests = "SELECT value FROM json_each(?)"
            let listedJSON = SQLiteRows.jsonText(listed.map(\.digest.description))
            let approvals = try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE project = ? AND candidate IN (\(digests)) ORDER BY id",
                                             arguments: try SQLiteRows.arguments([project, listedJSON])).map(SQLiteRows.approval)
            var arrivals: [String: [Digest: Date]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT environment, to_digest, MIN(at) AS first FROM deployments
                WHERE project = ? AND to_digest IN (\(digests)) GROUP BY environment, to_digest
                """, arguments: try SQLiteRows.arguments([project, listedJSON])) {
                arrivals[row["environment"], default: [:]][try SQLiteRows.digest(row, "to_digest")] = try SQLiteRows.date(row, "first")
            }
            return ProjectSnapshot(project: record, environments: environments, candidates: Array(listed), deployments: moves,
                                   reports: reports, approvals: approvals, arrivals: arrivals)
        }
    }
}
