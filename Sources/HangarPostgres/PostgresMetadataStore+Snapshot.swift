import Foundation
import HangarCore
import PostgresNIO

extension PostgresMetadataStore {
    /// A few indexed statements per environment at most, in one REPEATABLE READ, READ ONLY
    /// transaction: one snapshot, whatever other servers write meanwhile.
    public func snapshot(project: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot? {
        let (c, d) = (max(0, candidates), max(0, deployments))
        return try await read("cannot read the state of \(project)") { sql in
            guard let record = try await sql.one("SELECT * FROM projects WHERE name = ?", [project]).map(PostgresRows.project) else {
                return nil
            }
            let environments = try await sql.query("SELECT * FROM environments WHERE project = ? ORDER BY position", [project])
                .map(PostgresRows.environment)
            var listed = c == 0 ? [] : try await Self.fetchCandidates(sql, where: """
                project = ? AND id IN (SELECT id FROM candidates WHERE project = ? ORDER BY created_at DESC, id DESC LIMIT ?)
                """, [project, project, c])
            for digest in Set(environments.compactMap(\.current)) where !listed.contains(where: { $0.digest == digest }) {
                listed += try await Self.fetchCandidates(sql, where: "project = ? AND digest = ?", [project, digest.description])
            }
            listed.sort { ($0.createdAt, $0.tag) > ($1.createdAt, $1.tag) }
            var moves = d == 0 ? [] : try await sql.query("SELECT * FROM deployments WHERE project = ? ORDER BY id DESC LIMIT ?", [project, d])
                .map(PostgresRows.deployment)
            for env in environments where !moves.contains(where: { $0.environment == env.name }) {
                moves += try await sql.query("SELECT * FROM deployments WHERE project = ? AND environment = ? ORDER BY id DESC LIMIT 1",
                                             [project, env.name]).map(PostgresRows.deployment)
            }
            moves.sort { $0.id > $1.id }
            var reports: [String: DeploymentReport] = [:]
            for env in environments {
                guard let move = moves.first(where: { $0.environment == env.name }) else { continue }
                reports[env.name] = try await sql.one("""
                    SELECT r.*, d.project, d.environment FROM deployment_reports r JOIN deployments d ON d.id = r.deployment_id
                    WHERE r.deployment_id = ? ORDER BY r.id DESC LIMIT 1
                    """, [move.id]).map(PostgresRows.report)
            }
            let digests = "SELECT jsonb_array_elements_text(?::jsonb)"
            let listedJSON = PostgresRows.jsonText(listed.map(\.digest.description))
            let environmentsJSON = PostgresRows.jsonText(environments.map(\.name))
            let approvals = try await sql.query("""
                SELECT * FROM approvals WHERE project = ? AND environment IN (\(digests)) AND candidate IN (\(digests)) ORDER BY id
                """, [project, environmentsJSON, listedJSON]).map(PostgresRows.approval)
            var arrivals: [String: [Digest: Date]] = [:]
            for row in try await sql.query("""
                SELECT environment, to_digest, MIN(at) AS first FROM deployments
                WHERE project = ? AND to_digest IN (\(digests)) GROUP BY environment, to_digest
                """, [project, listedJSON]) {
                arrivals[try row.string("environment"), default: [:]][try PostgresRows.digest(row, "to_digest")] = try PostgresRows.date(row, "first")
            }
            return ProjectSnapshot(project: record, environments: environments, candidates: listed, deployments: moves,
                                   reports: reports, approvals: approvals, arrivals: arrivals)
        }
    }
}
