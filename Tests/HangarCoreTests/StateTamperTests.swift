import Foundation
import GRDB
import HangarConformance
@testable import HangarPostgres
@testable import HangarSQLite
import Testing
@testable import HangarCore

/// `audit verify` replays the audit log into the state it describes and names every row
/// that disagrees: one edit, insert or delete at a time, on both backends.
@Suite struct StateTamperTests {
    /// What was done behind the service's back, and a word the report must contain.
    struct Edit: Sendable, CustomStringConvertible {
        let description: String
        let named: String
        let sql: String
    }

    static let rc2 = "(SELECT digest FROM candidates WHERE tag = '2.4.0-rc.2')"
    static let edits: [Edit] = [
        Edit(description: "production's pointer moved", named: "points at",
             sql: "UPDATE environments SET current_digest = \(rc2) WHERE name = 'production'"),
        Edit(description: "a candidate's artifact swapped for another build's", named: "artifacts",
             sql: "UPDATE candidate_artifacts SET digest = (SELECT a.digest FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id WHERE c.tag = '2.4.0-rc.2') WHERE candidate_id = (SELECT id FROM candidates WHERE tag = '2.4.0-rc.1')"),
        Edit(description: "the newest deployment row deleted", named: "no deployment row",
             sql: "DELETE FROM deployments WHERE id = (SELECT max(id) FROM deployments)"),
        Edit(description: "a deployer token raised to admin", named: "admin",
             sql: "UPDATE tokens SET role = 'admin' WHERE name = 'deploy'"),
        Edit(description: "a revoked token un-revoked", named: "revoked is false",
             sql: "UPDATE tokens SET revoked_at = NULL WHERE name = 'old'"),
        Edit(description: "a forged approval", named: "approvals",
             sql: "INSERT INTO approvals (project, environment, candidate, actor, at, comment) VALUES ('acme/checkout', 'production', \(rc2), 'mallory', 1, NULL)"),
        Edit(description: "a relaxed policy", named: "required approvals is 0",
             sql: "UPDATE environments SET required_approvals = 0 WHERE name = 'production'"),
        Edit(description: "a token inserted", named: "never issued",
             sql: "INSERT INTO tokens (id, name, role, projects, environments, secret_hash, created_at, created_by) VALUES ('tk_forged', 'forged', 'admin', '[]', '[]', 'x', 1, 'mallory')"),
        Edit(description: "a candidate's commit rewritten", named: "commit",
             sql: "UPDATE candidates SET source_commit = '\(String(repeating: "f", count: 40))' WHERE tag = '2.4.0-rc.1'"),
        Edit(description: "a stored Merkle node rewritten", named: "Merkle node (1, 0)",
             sql: "UPDATE merkle_nodes SET hash = '\(String(repeating: "0", count: 64))' WHERE level = 1 AND idx = 0"),
        Edit(description: "single-step turned on", named: "single-step",
             sql: "UPDATE projects SET single_step = \("TRUE") WHERE name = 'acme/checkout'"),
    ]

    static let backends = ["sqlite", "postgres"]

    @Test(arguments: backends, edits)
    func anEditedStateRowIsNamed(_ backend: String, _ edit: Edit) async throws {
        let f = try await Self.scenario(backend)
        #expect(try await f.service.verifyAudit().ok, "untouched, it verifies")
        try await Self.execute(edit.sql, on: f.service.metadata)
        let v = try await f.service.verifyAudit()
        let named = (v.stateMismatches + v.deploymentMismatches).filter { $0.contains(edit.named) }
        #expect(!v.ok && !named.isEmpty, "\(backend), \(edit): \(v.stateMismatches + v.deploymentMismatches)")
    }

    /// rc.1 promoted everywhere, rc.2 in sandbox, a production policy of one approval, an
    /// approval, a deploy token and a revoked one.
    static func scenario(_ backend: String) async throws -> ServiceFixture {
        let f = try await ServiceFixture(metadata: backend == "postgres" ? try PostgresCluster.shared().makeDatabase() : nil)
        let s = f.service
        let rc1 = try await f.candidate("one")
        let rc2 = try await f.candidate("two", commit: ServiceFixture.sha2, pick: true)
        for env in ["sandbox", "staging", "production"] { _ = try await s.promote("acme/checkout", ref: rc1.tag, to: env, actor: "release") }
        _ = try await s.promote("acme/checkout", ref: rc2.tag, to: "sandbox", actor: "release")
        _ = try await s.setPolicy("acme/checkout", environment: "production",
                                  policy: EnvironmentPolicy(requirePredecessor: true, minimumSoakSeconds: 60, requiredApprovals: 1), actor: "admin")
        _ = try await s.approve("acme/checkout", ref: rc1.tag, environment: "production", comment: nil, actor: "qa")
        _ = try await s.createToken(name: "deploy", role: .deployer, actor: "admin")
        let old = try await s.createToken(name: "old", role: .ci, actor: "admin")
        _ = try await s.revokeToken(id: old.0.id, actor: "admin")
        return f
    }

    static func execute(_ statement: String, on metadata: any MetadataStore) async throws {
        switch metadata {
        case let sqlite as SQLiteMetadataStore:
            try await sqlite.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: statement.replacingOccurrences(of: "TRUE", with: "1"))
            }
        case let postgres as PostgresMetadataStore:
            try await postgres.client.withConnection { connection in
                let sql = SQL(connection: connection, logger: postgres.logger)
                try await sql.execute("SET session_replication_role = replica")  // foreign keys off, as an attacker would have them
                try await sql.execute(statement)
            }
        default:
            Issue.record("unknown backend \(type(of: metadata))")
        }
    }
}
