import GRDB
import HangarCore

/// The migrations from v4 on: uniqueness and indexes the many-writer work needed, and the
/// audit log's stored Merkle nodes.
extension SQLiteSchema {
    /// An approver approves a candidate for an environment once, enforced by the database
    /// (two servers could otherwise both record it). Duplicates a race left before this
    /// migration are removed, keeping each approver's first: policies count approvers, so
    /// no decision changes; their audit entries stay.
    static func oneApprovalPerApprover(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM approvals WHERE id NOT IN (
                SELECT MIN(id) FROM approvals GROUP BY project, environment, candidate, actor);
            CREATE UNIQUE INDEX approvals_once ON approvals(project, environment, candidate, actor);
            """)
    }

    /// When a candidate first reached an environment, without reading its whole history.
    static func deploymentsByCandidate(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX deployments_by_candidate ON deployments(project, environment, to_digest, at)")
    }

    /// One project's audit entries, without walking the others'.
    static func auditByProject(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX audit_by_project ON audit(project, seq)")
    }

    /// The audit log's Merkle nodes (`MerkleNodes`), stored with each append; those of a log
    /// written before are made here from its entries, in order.
    static func merkleNodes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE merkle_nodes (
                level INTEGER NOT NULL,
                idx INTEGER NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (level, idx)
            ) STRICT;
            """)
        var builder = MerkleNodes.Builder()
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
        while let row = try rows.next() {
            let entry = try SQLiteRows.auditEntry(row)
            guard entry.seq == builder.count + 1 else {
                throw HangarError.integrity("the audit log has no entry \(builder.count + 1) (it goes on at \(entry.seq)); run audit verify")
            }
            for (key, hash) in try builder.append(TransparencyLog.leafHash(entry)) {
                try SQLiteMetadataStore.insertNode(key, hash, in: db)
            }
        }
    }

    /// The newest moves of an environment or a project (`ORDER BY id DESC LIMIT n`: status,
    /// history) without sorting the whole history: SQLite ends every index with the rowid.
    static func deploymentsNewestFirst(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX deployments_newest_by_environment ON deployments(project, environment);
            CREATE INDEX deployments_newest_by_project ON deployments(project);
            """)
    }

    /// Uploads are operational events: who linked a blob into a project, when, how large,
    /// kept with the link instead of on the audit chain (rows from before have none).
    static func blobLinksOffTheChain(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE blob_links ADD COLUMN size INTEGER;
            ALTER TABLE blob_links ADD COLUMN linked_at INTEGER;
            ALTER TABLE blob_links ADD COLUMN linked_by TEXT;
            """)
    }

    /// Every move to one manifest, in any environment (evidence, verification, whether a
    /// manifest is in an environment's history), and the audit entries about one subject,
    /// without reading the whole history.
    static func lookupsByDigest(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX deployments_by_digest ON deployments(project, to_digest);
            CREATE INDEX audit_by_subject ON audit(project, subject);
            """)
    }

    /// A move's signed statement, written in the move's own transaction (one write, no
    /// file per move); statements of older moves stay in the blob store.
    static func moveStatements(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE move_statements (
                deployment_id INTEGER PRIMARY KEY REFERENCES deployments(id),
                digest TEXT NOT NULL,
                envelope BLOB NOT NULL
            ) STRICT;
            CREATE INDEX move_statements_by_digest ON move_statements(digest);
            """)
    }
}
