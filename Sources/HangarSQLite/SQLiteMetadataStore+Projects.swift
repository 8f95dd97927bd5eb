import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// Also throws `invalidInput` unless the environments belong to the project, have
    /// distinct names and positions 0…n-1 in order, and point at nothing yet.
    public func createProject(_ project: ProjectRecord, environments: [EnvironmentRecord], audit: AuditDraft) async throws {
        try ProjectEnvironments.validate(environments, of: project.name)
        try await write("cannot create project \(project.name)") { db in
            if try Self.projectExists(project.name, in: db) {
                throw HangarError.conflict("project \(project.name) already exists")
            }
            try db.execute(sql: "INSERT INTO projects (name, single_step, created_at, created_by) VALUES (?, ?, ?, ?)",
                           arguments: try SQLiteRows.arguments([project.name, project.singleStep, SQLiteRows.ms(project.createdAt), project.createdBy]))
            for env in environments {
                try db.execute(sql: """
                    INSERT INTO environments (project, name, position, require_predecessor, minimum_soak_seconds,
                                              required_approvals, independent_approvals, current_digest, generation, updated_at, updated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
                    """, arguments: try SQLiteRows.arguments([
                        project.name, env.name, env.position, env.policy.requirePredecessor, env.policy.minimumSoakSeconds,
                        env.policy.requiredApprovals, env.policy.independentApprovals, env.generation, env.updatedAt.map(SQLiteRows.ms), env.updatedBy,
                    ]))
            }
            _ = try Self.append([audit], in: db)
        }
    }

    /// Replaces `singleStep`; `createdAt` and `createdBy` record the creation and are kept.
    public func updateProject(_ project: ProjectRecord, audit: AuditDraft) async throws {
        try await write("cannot update project \(project.name)") { db in
            try db.execute(sql: "UPDATE projects SET single_step = ? WHERE name = ?",
                           arguments: try SQLiteRows.arguments([project.singleStep, project.name]))
            guard db.changesCount == 1 else { throw HangarError.notFound("project \(project.name) not found") }
            _ = try Self.append([audit], in: db)
        }
    }

    public func project(_ name: String) async throws -> ProjectRecord? {
        try await readOne("cannot read project \(name)") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM projects WHERE name = ?"),
                             arguments: try SQLiteRows.arguments([name])).map(SQLiteRows.project)
        }
    }

    public func projects() async throws -> [ProjectRecord] {
        try await read("cannot list projects") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM projects ORDER BY name").map(SQLiteRows.project)
        }
    }

    public func environments(project: String) async throws -> [EnvironmentRecord] {
        try await readOne("cannot read the environments of \(project)") { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM environments WHERE project = ? ORDER BY position"),
                             arguments: try SQLiteRows.arguments([project])).map(SQLiteRows.environment)
        }
    }

    public func setPolicy(project: String, environment: String, policy: EnvironmentPolicy, audit: AuditDraft) async throws {
        try await write("cannot set the policy of environment \(environment) of \(project)") { db in
            try db.execute(sql: """
                UPDATE environments SET require_predecessor = ?, minimum_soak_seconds = ?, required_approvals = ?,
                                        independent_approvals = ?
                WHERE project = ? AND name = ?
                """, arguments: try SQLiteRows.arguments([
                    policy.requirePredecessor, policy.minimumSoakSeconds, policy.requiredApprovals, policy.independentApprovals,
                    project, environment,
                ]))
            guard db.changesCount == 1 else {
                throw HangarError.notFound("environment \(environment) of project \(project) not found")
            }
            _ = try Self.append([audit], in: db)
        }
    }

    static func projectExists(_ name: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM projects WHERE name = ?)", arguments: try SQLiteRows.arguments([name])) ?? false
    }
}
