import HangarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB

/// The SQLite metadata schema, as named, append-only migrations: never edit a
/// registered migration, add a new one after it.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: projects and environments", migrate: projectsAndEnvironments)
        migrator.registerMigration("v1: candidates and artifacts", migrate: candidates)
        migrator.registerMigration("v1: audit log", migrate: audit)
        migrator.registerMigration("v1: deployments and approvals", migrate: deploymentsAndApprovals)
        migrator.registerMigration("v2: tokens", migrate: tokens)
        migrator.registerMigration("v2: manifests, tags and blob links", migrate: manifests)
        migrator.registerMigration("v2: deployment reports", migrate: deploymentReports)
        migrator.registerMigration("v3: security log", migrate: securityLog)
        migrator.registerMigration("v3: upload sessions", migrate: uploadSessions)
        migrator.registerMigration("v4: one approval per approver", migrate: oneApprovalPerApprover)
        migrator.registerMigration("v5: deployments by candidate", migrate: deploymentsByCandidate)
        migrator.registerMigration("v6: audit by project", migrate: auditByProject)
        migrator.registerMigration("v7: merkle nodes", migrate: merkleNodes)
        migrator.registerMigration("v8: deployments newest first", migrate: deploymentsNewestFirst)
        migrator.registerMigration("v9: blob links kept off the chain", migrate: blobLinksOffTheChain)
        migrator.registerMigration("v10: lookups by digest", migrate: lookupsByDigest)
        migrator.registerMigration("v11: move statements", migrate: moveStatements)
        migrator.registerMigration("v12: garbage collection", migrate: collection)
        migrator.registerMigration("v13: independent approvals", migrate: { db in
            try db.execute(sql: "ALTER TABLE environments ADD COLUMN independent_approvals INTEGER NOT NULL DEFAULT 0")
        })
        migrator.registerMigration("v14: token names reusable after revocation", migrate: reusableTokenNames)
        return migrator
    }

    /// Applies missing migrations; refuses a file written by a newer Hangar.
    ///
    /// GRDB reads which migrations are applied before, not inside, the transaction of
    /// each migration, so two processes opening a new file at once would both run the
    /// first one. Migrating therefore happens under an exclusive lock on a file beside
    /// the database (never the database file itself: closing another descriptor of it
    /// would drop SQLite's own POSIX locks).
    static func migrate(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = migrator
        if try writer.read({ try migrator.hasCompletedMigrations($0) && !migrator.hasBeenSuperseded($0) }) {
            return
        }
        try withExclusiveLock(path + "-migration.lock") {
            if try writer.read(migrator.hasBeenSuperseded) {
                throw HangarError(.invalidInput, "metadata database \(path) was written by a newer Hangar: it has migrations this version does not know")
            }
            try migrator.migrate(writer)
        }
    }

    private static func withExclusiveLock(_ lockPath: String, _ body: () throws -> Void) throws {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw HangarError.system("open", lockPath, "cannot open lock file \(lockPath)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HangarError.system("flock", lockPath, "cannot lock \(lockPath)") }
        }
        try body()
    }

    private static func projectsAndEnvironments(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE projects (
                name TEXT PRIMARY KEY NOT NULL,
                single_step INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL
            ) STRICT;
            CREATE TABLE environments (
                project TEXT NOT NULL REFERENCES projects(name),
                name TEXT NOT NULL,
                position INTEGER NOT NULL CHECK (position >= 0),
                require_predecessor INTEGER NOT NULL,
                minimum_soak_seconds INTEGER,
                required_approvals INTEGER NOT NULL,
                current_digest TEXT,
                generation INTEGER NOT NULL,
                updated_at INTEGER,
                updated_by TEXT,
                PRIMARY KEY (project, name),
                UNIQUE (project, position),
                FOREIGN KEY (project, current_digest) REFERENCES candidates(project, digest)
            ) STRICT;
            """)
    }

    private static func candidates(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE candidates (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL REFERENCES projects(name),
                tag TEXT NOT NULL,
                digest TEXT NOT NULL,
                version TEXT NOT NULL,
                rc INTEGER NOT NULL,
                source_commit TEXT NOT NULL,
                parent TEXT,
                cherry_picks TEXT NOT NULL,
                config_digest TEXT NOT NULL,
                manifest_size INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                UNIQUE (project, tag),
                UNIQUE (project, digest),
                UNIQUE (project, version, rc)
            ) STRICT;
            CREATE TABLE candidate_artifacts (
                candidate_id INTEGER NOT NULL REFERENCES candidates(id),
                position INTEGER NOT NULL,
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                size INTEGER NOT NULL,
                media_type TEXT NOT NULL,
                PRIMARY KEY (candidate_id, position)
            ) STRICT;
            CREATE INDEX candidates_by_project_created ON candidates(project, created_at, id);
            """)
    }

    private static func audit(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit (
                seq INTEGER PRIMARY KEY NOT NULL,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                project TEXT,
                subject TEXT,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT;
            """)
    }

    private static func deploymentsAndApprovals(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deployments (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL,
                environment TEXT NOT NULL,
                from_digest TEXT,
                to_digest TEXT NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                at INTEGER NOT NULL,
                reason TEXT,
                overridden TEXT NOT NULL,
                audit_seq INTEGER NOT NULL REFERENCES audit(seq),
                FOREIGN KEY (project, environment) REFERENCES environments(project, name),
                FOREIGN KEY (project, to_digest) REFERENCES candidates(project, digest)
            ) STRICT;
            CREATE INDEX deployments_by_environment ON deployments(project, environment, at, id);
            CREATE INDEX deployments_by_project ON deployments(project, at, id);
            CREATE TABLE approvals (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL,
                environment TEXT NOT NULL,
                candidate TEXT NOT NULL,
                actor TEXT NOT NULL,
                at INTEGER NOT NULL,
                comment TEXT,
                FOREIGN KEY (project, environment) REFERENCES environments(project, name),
                FOREIGN KEY (project, candidate) REFERENCES candidates(project, digest)
            ) STRICT;
            CREATE INDEX approvals_by_candidate ON approvals(project, environment, candidate, at, id);
            """)
    }

    private static func tokens(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                projects TEXT NOT NULL,
                environments TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                expires_at INTEGER,
                revoked_at INTEGER
            ) STRICT;
            CREATE INDEX tokens_by_created ON tokens(created_at);
            """)
    }

    /// A name is unique among tokens not revoked: rotation issues a new token under the
    /// old name, so the audit actor stays the same. SQLite cannot drop a column's UNIQUE,
    /// so the table is rebuilt (same columns, same rows).
    private static func reusableTokenNames(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE tokens_v14 (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                projects TEXT NOT NULL,
                environments TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                expires_at INTEGER,
                revoked_at INTEGER
            ) STRICT;
            INSERT INTO tokens_v14 SELECT id, name, role, projects, environments, secret_hash, created_at, created_by,
                                          expires_at, revoked_at FROM tokens;
            DROP TABLE tokens;
            ALTER TABLE tokens_v14 RENAME TO tokens;
            CREATE INDEX tokens_by_created ON tokens(created_at);
            CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked_at IS NULL;
            """)
    }

    /// Manifests pushed over the OCI API with the digests they reference, plain tags
    /// (each naming a recorded manifest of its project) and blobs linked to projects.
    private static func manifests(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE manifests (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project TEXT NOT NULL REFERENCES projects(name),
                digest TEXT NOT NULL,
                media_type TEXT NOT NULL,
                artifact_type TEXT,
                size INTEGER NOT NULL,
                subject TEXT,
                annotations TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (project, digest)
            ) STRICT;
            CREATE INDEX manifests_by_subject ON manifests(project, subject, created_at, id);
            CREATE TABLE manifest_references (
                manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                digest TEXT NOT NULL,
                PRIMARY KEY (manifest_id, position)
            ) STRICT;
            CREATE INDEX manifest_references_by_digest ON manifest_references(digest, manifest_id);
            CREATE TABLE tags (
                project TEXT NOT NULL,
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                updated_by TEXT NOT NULL,
                PRIMARY KEY (project, name),
                FOREIGN KEY (project, digest) REFERENCES manifests(project, digest)
            ) STRICT;
            CREATE INDEX tags_by_digest ON tags(project, digest);
            CREATE TABLE blob_links (
                project TEXT NOT NULL REFERENCES projects(name),
                digest TEXT NOT NULL,
                PRIMARY KEY (project, digest)
            ) STRICT;
            CREATE INDEX candidate_artifacts_by_digest ON candidate_artifacts(digest, candidate_id);
            CREATE INDEX candidates_by_config ON candidates(project, config_digest);
            """)
    }

    /// What deploy agents report, each about one recorded deployment (whose row gives
    /// its project and environment).
    private static func deploymentReports(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deployment_reports (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL REFERENCES deployments(id),
                agent TEXT NOT NULL,
                status TEXT NOT NULL,
                message TEXT,
                at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX deployment_reports_by_deployment ON deployment_reports(deployment_id, id);
            """)
    }

    /// Refused requests, aggregated per window and shape; outside the audit chain, pruned.
    private static func securityLog(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE security_events (
                window_start INTEGER NOT NULL,
                actor TEXT NOT NULL,
                token_id TEXT NOT NULL,
                address TEXT NOT NULL,
                method TEXT NOT NULL,
                path_prefix TEXT NOT NULL,
                status INTEGER NOT NULL,
                reason TEXT NOT NULL,
                count INTEGER NOT NULL CHECK (count > 0),
                last_at INTEGER NOT NULL,
                PRIMARY KEY (window_start, actor, token_id, address, method, path_prefix, status, reason)
            ) STRICT;
            """)
    }

    /// Blob uploads in progress (their bytes are in the blob store under the same id).
    private static func uploadSessions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE upload_sessions (
                id TEXT PRIMARY KEY,
                project TEXT NOT NULL,
                owner TEXT NOT NULL,
                started_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX upload_sessions_by_owner ON upload_sessions(owner);
            CREATE INDEX upload_sessions_by_use ON upload_sessions(updated_at, id);
            """)
    }
}
