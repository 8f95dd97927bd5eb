import GRDB

extension SQLiteSchema {
    /// Retention rules, collected candidates, blob deletions in progress, and the time a
    /// link was last made (a re-push refreshes it: the collector's grace period).
    static func collection(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE retention_rules (
                project TEXT PRIMARY KEY REFERENCES projects(name),
                rules TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                updated_by TEXT NOT NULL
            ) STRICT;
            CREATE TABLE collected_candidates (
                project TEXT NOT NULL,
                digest TEXT NOT NULL,
                tag TEXT NOT NULL,
                collected_at INTEGER NOT NULL,
                rule TEXT NOT NULL,
                PRIMARY KEY (project, digest)
            ) STRICT;
            CREATE INDEX collected_candidates_by_digest ON collected_candidates(digest);
            CREATE TABLE blob_deletions (
                digest TEXT PRIMARY KEY,
                started_at INTEGER NOT NULL,
                finished_at INTEGER
            ) STRICT;
            ALTER TABLE blob_links ADD COLUMN last_linked_at INTEGER;
            UPDATE blob_links SET last_linked_at = linked_at;
            CREATE INDEX blob_links_by_digest ON blob_links(digest, last_linked_at);
            CREATE INDEX blob_links_by_time ON blob_links(last_linked_at);
            CREATE INDEX manifests_by_digest ON manifests(digest, created_at);
            CREATE INDEX candidates_by_digest ON candidates(digest);
            CREATE INDEX candidates_by_config_digest ON candidates(config_digest);
            """)
    }
}
