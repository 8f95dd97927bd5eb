import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    @discardableResult
    public func appendAudit(_ drafts: [AuditDraft]) async throws -> [AuditEntry] {
        if drafts.isEmpty { return [] }
        return try await write("cannot append \(drafts.count) audit entries to \(path)") { db in
            try Self.append(drafts, in: db)
        }
    }

    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await read("cannot read the audit log of \(path)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
                             arguments: try SQLiteRows.arguments([after, limit])).map(SQLiteRows.auditEntry)
        }
    }

    public func auditEntries(project: String, after: Int64, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await readOne("cannot read the audit log of \(project)") { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit WHERE project = ? AND seq > ? ORDER BY seq LIMIT ?"),
                             arguments: try SQLiteRows.arguments([project, after, limit])).map(SQLiteRows.auditEntry)
        }
    }

    public func auditEntries(project: String, subject: String, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await readOne("cannot read the audit log of \(project)") { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit WHERE project = ? AND subject = ? ORDER BY seq LIMIT ?"),
                             arguments: try SQLiteRows.arguments([project, subject, limit])).map(SQLiteRows.auditEntry)
        }
    }

    public func allDeployments() async throws -> [DeploymentRecord] {
        try await read("cannot read the deployments of \(path)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deployments ORDER BY id").map(SQLiteRows.deployment)
        }
    }

    /// Seals `drafts` after the current last entry and inserts them; call inside the
    /// write transaction of the change they record.
    static func append(_ drafts: [AuditDraft], in db: Database) throws -> [AuditEntry] {
        var previous = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").map {
            (seq: try $0.decode(Int64.self, forColumn: "seq"), hash: try $0.decode(String.self, forColumn: "hash"))
        }
        var entries: [AuditEntry] = []
        for draft in drafts {
            let entry = AuditChain.seal(draft, after: previous)
            try db.execute(sql: """
                INSERT INTO audit (seq, at, actor, action, project, subject, details, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: try SQLiteRows.arguments([
                    entry.seq, SQLiteRows.ms(entry.at), entry.actor, entry.action, entry.project, entry.subject,
                    SQLiteRows.jsonText(entry.details), entry.prevHash, entry.hash,
                ]))
            try storeNodes(of: entry, in: db)
            entries.append(entry)
            previous = (entry.seq, entry.hash)
        }
        return entries
    }

    /// Stores the Merkle nodes `entry` completes (its leaf and the parents it finishes).
    static func storeNodes(of entry: AuditEntry, in db: Database) throws {
        let index = entry.seq - 1
        let siblings = try nodes(MerkleNodes.siblings(appending: index), in: db)
        for (key, hash) in try MerkleNodes.completed(leaf: TransparencyLog.leafHash(entry), at: index, siblings: siblings) {
            try insertNode(key, hash, in: db)
        }
    }

    static func insertNode(_ key: MerkleNodeKey, _ hash: MerkleTree.Hash, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
            .execute(arguments: [key.level, key.index, Hex.encode(hash)])
    }

    public func auditSize() async throws -> Int64 {
        try await readOne("cannot read the size of the audit log") { db in
            try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit") ?? 0
        }
    }

    public func merkleNodes(_ keys: [MerkleNodeKey]) async throws -> [MerkleNodeKey: MerkleTree.Hash] {
        guard !keys.isEmpty else { return [:] }
        return try await read("cannot read the audit log's Merkle nodes") { db in try Self.nodes(keys, in: db) }
    }

    /// The stored nodes among `keys`.
    static func nodes(_ keys: [MerkleNodeKey], in db: Database) throws -> [MerkleNodeKey: MerkleTree.Hash] {
        var out: [MerkleNodeKey: MerkleTree.Hash] = [:]
        for key in keys {
            if let hex = try String.fetchOne(db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?"),
                                             arguments: [key.level, key.index]), let hash = Hex.decode(hex) {
                out[key] = hash
            }
        }
        return out
    }
}
