import Foundation
import HangarCore

/// Tokens, agents' reports, the security log and upload sessions.
extension PostgresMetadataStore {
    /// A name stays taken after its token is revoked, so audit entries keep naming one token.
    public func insertToken(_ token: TokenRecord, audit: AuditDraft) async throws {
        let t = token
        try await write("cannot store token \(t.name)") { sql in
            if let row = try await sql.one("SELECT name FROM tokens WHERE id = ?", [t.id]) {
                throw HangarError.conflict("token id \(t.id) is already taken (by token \(try row.string("name")))")
            }
            if let row = try await sql.one("SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL", [t.name]) {
                throw TokenNames.taken(t.name, by: try row.string("id"))
            }
            try await sql.execute("""
                INSERT INTO tokens (id, name, role, projects, environments, secret_hash, created_at, created_by, expires_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [t.id, t.name, t.role.rawValue, PostgresRows.jsonText(t.projects), PostgresRows.jsonText(t.environments),
                      t.secretHash, PostgresRows.ms(t.createdAt), t.createdBy, t.expiresAt.map(PostgresRows.ms),
                      t.revokedAt.map(PostgresRows.ms)])
            _ = try await Self.append([audit], in: sql)
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await readOne("cannot read token \(id)") { sql in
            try await sql.one("SELECT * FROM tokens WHERE id = ?", [id]).map(PostgresRows.token)
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await readOne("cannot list tokens") { sql in
            try await sql.query("SELECT * FROM tokens ORDER BY created_at, seq").map(PostgresRows.token)
        }
    }

    /// Revoking a revoked token keeps the time of its first revocation.
    public func revokeToken(id: String, at: Date, audit: AuditDraft) async throws {
        try await write("cannot revoke token \(id)") { sql in
            guard try await sql.execute("UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING 1",
                                        [PostgresRows.ms(at), id]) == 1 else {
                throw HangarError.notFound("token \(id) not found")
            }
            _ = try await Self.append([audit], in: sql)
        }
    }

    /// The deployment must be one of `report.environment` of `report.project`.
    public func addReport(_ report: DeploymentReport, audit: AuditDraft) async throws {
        let r = report
        try await write("cannot record a report on deployment \(r.deploymentID) of \(r.environment) in \(r.project)") { sql in
            guard try await sql.exists("SELECT EXISTS (SELECT 1 FROM deployments WHERE id = ? AND project = ? AND environment = ?)",
                                       [r.deploymentID, r.project, r.environment]) else {
                throw HangarError.notFound("deployment \(r.deploymentID) of environment \(r.environment) in project \(r.project) not found")
            }
            try await sql.execute("INSERT INTO deployment_reports (deployment_id, agent, status, message, at) VALUES (?, ?, ?, ?, ?)",
                                  [r.deploymentID, r.agent, r.status.rawValue, r.message, PostgresRows.ms(r.at)])
            _ = try await Self.append([audit], in: sql)
            try await Self.notifyChanged(r.project, in: sql)
        }
    }

    /// Newest first is the order the reports were recorded in.
    public func reports(project: String, environment: String, deploymentID: Int64?) async throws -> [DeploymentReport] {
        var values: [any SQLBindable] = [project, environment]
        var condition = "d.project = ? AND d.environment = ?"
        if let deploymentID {
            condition += " AND d.id = ?"
            values.append(deploymentID)
        }
        let (query, bound) = ("""
            SELECT r.*, d.project, d.environment FROM deployment_reports r JOIN deployments d ON d.id = r.deployment_id
            WHERE \(condition) ORDER BY r.id DESC
            """, values)
        return try await readOne("cannot read the reports of \(environment) in \(project)") { sql in
            try await sql.query(query, bound).map(PostgresRows.report)
        }
    }

    public func recordSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write("cannot record \(events.count) security log rows", audited: false) { sql in
            for e in events {
                try await sql.execute("""
                    INSERT INTO security_events (window_start, actor, token_id, address, method, path_prefix, status, reason, count, last_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (window_start, actor, token_id, address, method, path_prefix, status, reason)
                    DO UPDATE SET count = security_events.count + excluded.count,
                                  last_at = GREATEST(security_events.last_at, excluded.last_at)
                    """, [PostgresRows.ms(e.windowStart), e.actor, e.tokenID ?? "", e.address, e.method, e.pathPrefix,
                          e.status, e.reason, e.count, PostgresRows.ms(e.lastAt)])
            }
        }
    }

    public func securityEvents(since: Date, limit: Int) async throws -> [SecurityEvent] {
        try await readOne("cannot read the security log") { sql in
            try await sql.query("SELECT * FROM security_events WHERE window_start >= ? ORDER BY window_start DESC, count DESC LIMIT ?",
                                [PostgresRows.ms(since), limit]).map { row in
                let token = try row.string("token_id")
                return SecurityEvent(
                    windowStart: try PostgresRows.date(row, "window_start"), actor: try row.string("actor"),
                    tokenID: token.isEmpty ? nil : token, address: try row.string("address"), method: try row.string("method"),
                    pathPrefix: try row.string("path_prefix"), status: try row.int("status"), reason: try row.string("reason"),
                    count: try row.int("count"), lastAt: try PostgresRows.date(row, "last_at"))
            }
        }
    }

    @discardableResult
    public func pruneSecurityEvents(before: Date) async throws -> Int {
        try await write("cannot prune the security log", audited: false) { sql in
            try await sql.execute("DELETE FROM security_events WHERE window_start < ? RETURNING 1", [PostgresRows.ms(before)])
        }
    }

    /// The limits are counted under an advisory lock, so servers starting sessions at once
    /// cannot together pass them.
    public func createUploadSession(_ s: UploadSessionRecord, maxPerOwner: Int, maxTotal: Int) async throws {
        try await write("cannot record upload session \(s.id)", audited: false) { sql in
            try await sql.execute("SELECT pg_advisory_xact_lock(?)", [Int64(0x5550_4C4F_4144)])
            let owned = try await sql.one("SELECT count(*) AS n FROM upload_sessions WHERE owner = ?", [s.owner])?.int("n") ?? 0
            guard owned < maxPerOwner else {
                throw HangarError(.unavailable, "\(s.owner) already has \(maxPerOwner) upload sessions open: finish or cancel one first",
                                  cause: UploadLimit.perOwner, retryAfter: 60)
            }
            let all = try await sql.one("SELECT count(*) AS n FROM upload_sessions")?.int("n") ?? 0
            guard all < maxTotal else {
                throw HangarError(.unavailable, "the server has \(maxTotal) upload sessions open, its limit: retry later",
                                  cause: UploadLimit.total, retryAfter: 60)
            }
            try await sql.execute("INSERT INTO upload_sessions (id, project, owner, started_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                                  [s.id, s.project, s.owner, PostgresRows.ms(s.startedAt), PostgresRows.ms(s.updatedAt)])
        }
    }

    public func uploadSession(id: String) async throws -> UploadSessionRecord? {
        try await readOne("cannot read upload session \(id)") { sql in
            try await sql.one("SELECT * FROM upload_sessions WHERE id = ?", [id]).map(PostgresRows.uploadSession)
        }
    }

    public func touchUploadSession(id: String, at: Date) async throws {
        try await write("cannot note the use of upload session \(id)", audited: false) { sql in
            try await sql.execute("UPDATE upload_sessions SET updated_at = GREATEST(updated_at, ?) WHERE id = ?", [PostgresRows.ms(at), id])
        }
    }

    @discardableResult
    public func deleteUploadSession(id: String) async throws -> Bool {
        try await write("cannot end upload session \(id)", audited: false) { sql in
            try await sql.execute("DELETE FROM upload_sessions WHERE id = ? RETURNING 1", [id]) > 0
        }
    }

    public func idleUploadSessions(before: Date, limit: Int) async throws -> [UploadSessionRecord] {
        try await readOne("cannot list idle upload sessions") { sql in
            try await sql.query("SELECT * FROM upload_sessions WHERE updated_at < ? ORDER BY updated_at, id LIMIT ?",
                                [PostgresRows.ms(before), limit]).map(PostgresRows.uploadSession)
        }
    }

    public func referencedBlobs() async throws -> [Digest: Int64?] {
        try await read("cannot read which blobs the metadata refers to") { sql in
            let rows = try await sql.query("""
                SELECT a.digest, a.size FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT digest, manifest_size FROM candidates c
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT config_digest, NULL FROM candidates c
                    WHERE NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest)
                UNION ALL SELECT digest, size FROM manifests
                UNION ALL SELECT digest, NULL FROM manifest_references
                UNION ALL SELECT digest, NULL FROM blob_links
                UNION ALL SELECT a.details::jsonb ->> 'envelope', NULL FROM audit a
                    WHERE a.action IN ('promotion', 'rollback') AND a.details::jsonb ->> 'envelope' IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM move_statements s WHERE s.digest = a.details::jsonb ->> 'envelope')
                """)
            return try [Digest: Int64?](referenceRows: rows.map { (try $0.string("digest"), try $0.optionalInt64("size")) })
        }
    }
}
