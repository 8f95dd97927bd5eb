import Foundation
import HangarCore

extension PostgresMetadataStore {
    /// Also throws `invalidInput` unless the environments belong to the project, have
    /// distinct names and positions 0…n-1 in order, and point at nothing yet.
    public func createProject(_ project: ProjectRecord, environments: [EnvironmentRecord], audit: AuditDraft) async throws {
        try ProjectEnvironments.validate(environments, of: project.name)
        try await write("cannot create project \(project.name)") { sql in
            if try await Self.projectExists(project.name, in: sql) {
                throw HangarError.conflict("project \(project.name) already exists")
            }
            try await sql.execute("INSERT INTO projects (name, single_step, created_at, created_by) VALUES (?, ?, ?, ?)",
                                  [project.name, project.singleStep, PostgresRows.ms(project.createdAt), project.createdBy])
            for env in environments {
                try await sql.execute("""
                    INSERT INTO environments (project, name, position, require_predecessor, minimum_soak_seconds,
                                              required_approvals, independent_approvals, current_digest, generation, updated_at, updated_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
                    """, [project.name, env.name, env.position, env.policy.requirePredecessor, env.policy.minimumSoakSeconds,
                          env.policy.requiredApprovals, env.policy.independentApprovals, env.generation, env.updatedAt.map(PostgresRows.ms), env.updatedBy])
            }
            _ = try await Self.append([audit], in: sql)
        }
    }

    /// Replaces `singleStep`; `createdAt` and `createdBy` record the creation and are kept.
    public func updateProject(_ project: ProjectRecord, audit: AuditDraft) async throws {
        try await write("cannot update project \(project.name)") { sql in
            guard try await sql.execute("UPDATE projects SET single_step = ? WHERE name = ? RETURNING 1",
                                        [project.singleStep, project.name]) == 1 else {
                throw HangarError.notFound("project \(project.name) not found")
            }
            _ = try await Self.append([audit], in: sql)
        }
    }

    public func project(_ name: String) async throws -> ProjectRecord? {
        try await readOne("cannot read project \(name)") { sql in
            try await sql.one("SELECT * FROM projects WHERE name = ?", [name]).map(PostgresRows.project)
        }
    }

    public func projects() async throws -> [ProjectRecord] {
        try await readOne("cannot list projects") { sql in
            try await sql.query("SELECT * FROM projects ORDER BY name COLLATE \"C\"").map(PostgresRows.project)
        }
    }

    public func environments(project: String) async throws -> [EnvironmentRecord] {
        try await readOne("cannot read the environments of \(project)") { sql in
            try await sql.query("SELECT * FROM environments WHERE project = ? ORDER BY position", [project]).map(PostgresRows.environment)
        }
    }

    public func setPolicy(project: String, environment: String, policy: EnvironmentPolicy, audit: AuditDraft) async throws {
        try await write("cannot set the policy of environment \(environment) of \(project)") { sql in
            guard try await sql.execute("""
                UPDATE environments SET require_predecessor = ?, minimum_soak_seconds = ?, required_approvals = ?, independent_approvals = ?
                WHERE project = ? AND name = ? RETURNING 1
                """, [policy.requirePredecessor, policy.minimumSoakSeconds, policy.requiredApprovals, policy.independentApprovals,
                      project, environment]) == 1 else {
                throw HangarError.notFound("environment \(environment) of project \(project) not found")
            }
            _ = try await Self.append([audit], in: sql)
        }
    }

    static func projectExists(_ name: String, in sql: SQL) async throws -> Bool {
        try await sql.exists("SELECT EXISTS (SELECT 1 FROM projects WHERE name = ?)", [name])
    }
}
