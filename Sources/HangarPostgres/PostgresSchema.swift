import Foundation
import HangarCore

/// The PostgreSQL metadata schema, as named, append-only migrations (never edit one that
/// is registered: add a new one after it). The same tables as the SQLite backend, in
/// PostgreSQL's types, plus `audit_head`: the one row every audited write locks first, so
/// writers from any number of servers take the chain head in turn.
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("v1: schema", v1),
        ("v2: deployments by candidate", "CREATE INDEX deployments_by_candidate ON deployments(project, environment, to_digest, at)"),
        ("v3: audit by project", "CREATE INDEX audit_by_project ON audit(project, seq)"),
        ("v4: merkle nodes", "CREATE TABLE merkle_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, idx))"),
        ("v5: deployments newest first", """
            CREATE INDEX deployments_newest_by_environment ON deployments(project, environment, id);
            CREATE INDEX deployments_newest_by_project ON deployments(project, id)
            """),
        ("v6: blob links kept off the chain", """
            ALTER TABLE blob_links ADD COLUMN size BIGINT;
            ALTER TABLE blob_links ADD COLUMN linked_at BIGINT;
            ALTER TABLE blob_links ADD COLUMN linked_by TEXT
            """),
        ("v7: lookups by digest", """
            CREATE INDEX deployments_by_digest ON deployments(project, to_digest, id);
            CREATE INDEX audit_by_subject ON audit(project, subject, seq)
            """),
        ("v8: move statements", """
            CREATE TABLE move_statements (
                deployment_id BIGINT PRIMARY KEY REFERENCES deployments(id),
                digest TEXT NOT NULL,
                envelope BYTEA NOT NULL
            );
            CREATE INDEX move_statements_by_digest ON move_statements(digest)
            """),
        ("v9: garbage collection", """
            CREATE TABLE retention_rules (
                project TEXT PRIMARY KEY REFERENCES projects(name),
                rules TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by TEXT NOT NULL
            );
            CREATE TABLE collected_candidates (
                project TEXT NOT NULL,
                digest TEXT NOT NULL,
                tag TEXT NOT NULL,
                collected_at BIGINT NOT NULL,
                rule TEXT NOT NULL,
                PRIMARY KEY (project, digest)
            );
            CREATE INDEX collected_candidates_by_digest ON collected_candidates(digest);
            CREATE TABLE blob_deletions (
                digest TEXT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                finished_at BIGINT
            );
            ALTER TABLE blob_links ADD COLUMN last_linked_at BIGINT;
            UPDATE blob_links SET last_linked_at = linked_at;
            CREATE INDEX blob_links_by_digest ON blob_links(digest, last_linked_at);
            CREATE INDEX blob_links_by_time ON blob_links(last_linked_at);
            CREATE INDEX manifests_by_digest ON manifests(digest, created_at);
            CREATE INDEX candidates_by_digest ON candidates(digest);
            CREATE INDEX candidates_by_config_digest ON candidates(config_digest)
            """),
        ("v10: independent approvals", "ALTER TABLE environments ADD COLUMN independent_approvals BOOLEAN NOT NULL DEFAULT false"),
        ("v11: token names reusable after revocation", """
            ALTER TABLE tokens DROP CONSTRAINT tokens_name_key;
            CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked_at IS NULL
            """),
    ]

    /// Applies the missing migrations in one transaction under an advisory lock (two
    /// servers starting at once migrate once); refuses a database written by a newer Hangar.
    static func migrate(_ sql: SQL) async throws {
        try await sql.execute("SELECT pg_advisory_xact_lock(?)", [Int64(0x4841_4E47_4152)])
        try await sql.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        let applied = Set(try await sql.query("SELECT name FROM schema_migrations").map { try $0.string("name") })
        let known = Set(migrations.map(\.name))
        if let unknown = applied.subtracting(known).sorted().first {
            throw HangarError.invalid("the metadata database was written by a newer Hangar: it has migration '\(unknown)' this version does not know")
        }
        for m in migrations where !applied.contains(m.name) {
            // One statement per round trip: the extended protocol takes one at a time.
            for statement in m.sql.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
                try await sql.execute(statement)
            }
            if m.name == "v4: merkle nodes" { try await backfillMerkleNodes(sql) }
            try await sql.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                                  [m.name, Int64(Date().timeIntervalSince1970 * 1000)])
        }
    }

    static let v1 = """
        CREATE TABLE projects (
            name TEXT PRIMARY KEY,
            single_step BOOLEAN NOT NULL,
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL
        );
        CREATE TABLE candidates (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            project TEXT NOT NULL REFERENCES projects(name),
            tag TEXT NOT NULL,
            digest TEXT NOT NULL,
            version TEXT NOT NULL,
            rc BIGINT NOT NULL,
            source_commit TEXT NOT NULL,
            parent TEXT,
            cherry_picks TEXT NOT NULL,
            config_digest TEXT NOT NULL,
            manifest_size BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            UNIQUE (project, tag),
            UNIQUE (project, digest),
            UNIQUE (project, version, rc)
        );
        CREATE INDEX candidates_by_project_created ON candidates(project, created_at, id);
        CREATE INDEX candidates_by_config ON candidates(project, config_digest);
        CREATE TABLE candidate_artifacts (
            candidate_id BIGINT NOT NULL REFERENCES candidates(id),
            position BIGINT NOT NULL,
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            size BIGINT NOT NULL,
            media_type TEXT NOT NULL,
            PRIMARY KEY (candidate_id, position)
        );
        CREATE INDEX candidate_artifacts_by_digest ON candidate_artifacts(digest, candidate_id);
        CREATE TABLE environments (
            project TEXT NOT NULL REFERENCES projects(name),
            name TEXT NOT NULL,
            position BIGINT NOT NULL CHECK (position >= 0),
            require_predecessor BOOLEAN NOT NULL,
            minimum_soak_seconds BIGINT,
            required_approvals BIGINT NOT NULL,
            current_digest TEXT,
            generation BIGINT NOT NULL,
            updated_at BIGINT,
            updated_by TEXT,
            PRIMARY KEY (project, name),
            UNIQUE (project, position),
            FOREIGN KEY (project, current_digest) REFERENCES candidates(project, digest)
        );
        CREATE TABLE audit (
            seq BIGINT PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            project TEXT,
            subject TEXT,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE audit_head (
            id BIGINT PRIMARY KEY CHECK (id = 1),
            seq BIGINT NOT NULL,
            hash TEXT
        );
        INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, NULL);
        CREATE TABLE deployments (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            project TEXT NOT NULL,
            environment TEXT NOT NULL,
            from_digest TEXT,
            to_digest TEXT NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            at BIGINT NOT NULL,
            reason TEXT,
            overridden TEXT NOT NULL,
            audit_seq BIGINT NOT NULL REFERENCES audit(seq),
            FOREIGN KEY (project, environment) REFERENCES environments(project, name),
            FOREIGN KEY (project, to_digest) REFERENCES candidates(project, digest)
        );
        CREATE INDEX deployments_by_environment ON deployments(project, environment, at, id);
        CREATE INDEX deployments_by_project ON deployments(project, at, id);
        CREATE TABLE approvals (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            project TEXT NOT NULL,
            environment TEXT NOT NULL,
            candidate TEXT NOT NULL,
            actor TEXT NOT NULL,
            at BIGINT NOT NULL,
            comment TEXT,
            FOREIGN KEY (project, environment) REFERENCES environments(project, name),
            FOREIGN KEY (project, candidate) REFERENCES candidates(project, digest),
            UNIQUE (project, environment, candidate, actor)
        );
        CREATE INDEX approvals_by_candidate ON approvals(project, environment, candidate, at, id);
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            projects TEXT NOT NULL,
            environments TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            expires_at BIGINT,
            revoked_at BIGINT
        );
        CREATE INDEX tokens_by_created ON tokens(created_at, seq);
        CREATE TABLE manifests (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            project TEXT NOT NULL REFERENCES projects(name),
            digest TEXT NOT NULL,
            media_type TEXT NOT NULL,
            artifact_type TEXT,
            size BIGINT NOT NULL,
            subject TEXT,
            annotations TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            UNIQUE (project, digest)
        );
        CREATE INDEX manifests_by_subject ON manifests(project, subject, created_at, id);
        CREATE TABLE manifest_references (
            manifest_id BIGINT NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
            position BIGINT NOT NULL,
            digest TEXT NOT NULL,
            PRIMARY KEY (manifest_id, position)
        );
        CREATE INDEX manifest_references_by_digest ON manifest_references(digest, manifest_id);
        CREATE TABLE tags (
            project TEXT NOT NULL,
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (project, name),
            FOREIGN KEY (project, digest) REFERENCES manifests(project, digest)
        );
        CREATE INDEX tags_by_digest ON tags(project, digest);
        CREATE TABLE blob_links (
            project TEXT NOT NULL REFERENCES projects(name),
            digest TEXT NOT NULL,
            PRIMARY KEY (project, digest)
        );
        CREATE TABLE deployment_reports (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            deployment_id BIGINT NOT NULL REFERENCES deployments(id),
            agent TEXT NOT NULL,
            status TEXT NOT NULL,
            message TEXT,
            at BIGINT NOT NULL
        );
        CREATE INDEX deployment_reports_by_deployment ON deployment_reports(deployment_id, id);
        CREATE TABLE security_events (
            window_start BIGINT NOT NULL,
            actor TEXT NOT NULL,
            token_id TEXT NOT NULL,
            address TEXT NOT NULL,
            method TEXT NOT NULL,
            path_prefix TEXT NOT NULL,
            status BIGINT NOT NULL,
            reason TEXT NOT NULL,
            count BIGINT NOT NULL CHECK (count > 0),
            last_at BIGINT NOT NULL,
            PRIMARY KEY (window_start, actor, token_id, address, method, path_prefix, status, reason)
        );
        CREATE TABLE upload_sessions (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            owner TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX upload_sessions_by_owner ON upload_sessions(owner);
        CREATE INDEX upload_sessions_by_use ON upload_sessions(updated_at, id);
        """

    /// Makes the Merkle nodes of a log written before they were stored, from its entries in order.
    static func backfillMerkleNodes(_ sql: SQL) async throws {
        var builder = MerkleNodes.Builder()
        while true {
            let page = try await sql.query("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000", [builder.count])
            guard !page.isEmpty else { return }
            for row in page {
                let entry = try PostgresRows.auditEntry(row)
                guard entry.seq == builder.count + 1 else {
                    throw HangarError.integrity("the audit log has no entry \(builder.count + 1) (it goes on at \(entry.seq)); run audit verify")
                }
                for (key, hash) in try builder.append(TransparencyLog.leafHash(entry)) {
                    try await PostgresMetadataStore.insertNode(key, hash, in: sql)
                }
            }
        }
    }
}
