import Foundation
import HangarCore

extension PostgresMetadataStore {
    @discardableResult
    public func appendAudit(_ drafts: [AuditDraft]) async throws -> [AuditEntry] {
        if drafts.isEmpty { return [] }
        return try await write("cannot append \(drafts.count) audit entries to \(location)") { sql in
            try await Self.append(drafts, in: sql)
        }
    }

    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await readOne("cannot read the audit log of \(location)") { sql in
            try await sql.query("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", [after, limit]).map(PostgresRows.auditEntry)
        }
    }

    public func auditEntries(project: String, after: Int64, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await readOne("cannot read the audit log of \(project)") { sql in
            try await sql.query("SELECT * FROM audit WHERE project = ? AND seq > ? ORDER BY seq LIMIT ?", [project, after, limit])
                .map(PostgresRows.auditEntry)
        }
    }

    public func auditEntries(project: String, subject: String, limit: Int) async throws -> [AuditEntry] {
        guard limit > 0 else { return [] }
        return try await readOne("cannot read the audit log of \(project)") { sql in
            try await sql.query("SELECT * FROM audit WHERE project = ? AND subject = ? ORDER BY seq LIMIT ?", [project, subject, limit])
                .map(PostgresRows.auditEntry)
        }
    }

    public func allDeployments() async throws -> [DeploymentRecord] {
        try await readOne("cannot read the deployments of \(location)") { sql in
            try await sql.query("SELECT * FROM deployments ORDER BY id").map(PostgresRows.deployment)
        }
    }

    /// Seals `drafts` after the chain's head and inserts them, moving the head; call inside
    /// an audited `write` (which holds the head's row lock).
    static func append(_ drafts: [AuditDraft], in sql: SQL) async throws -> [AuditEntry] {
        guard let head = try await sql.one("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE") else {
            throw HangarError.integrity("the audit chain's head row is missing")
        }
        let seq = try head.int64("seq")
        var previous: (seq: Int64, hash: String)? = seq == 0 ? nil : (seq, try head.string("hash"))
        var entries: [AuditEntry] = []
        for draft in drafts {
            let entry = AuditChain.seal(draft, after: previous)
            try await sql.execute("""
                INSERT INTO audit (seq, at, actor, action, project, subject, details, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [entry.seq, PostgresRows.ms(entry.at), entry.actor, entry.action, entry.project, entry.subject,
                      PostgresRows.jsonText(entry.details), entry.prevHash, entry.hash])
            try await storeNodes(of: entry, in: sql)
            entries.append(entry)
            previous = (entry.seq, entry.hash)
        }
        if let last = entries.last {
            try await sql.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [last.seq, last.hash])
        }
        return entries
    }

    /// Stores the Merkle nodes `entry` completes (its leaf and the parents it finishes).
    static func storeNodes(of entry: AuditEntry, in sql: SQL) async throws {
        let index = entry.seq - 1
        let siblings = try await nodes(MerkleNodes.siblings(appending: index), in: sql)
        for (key, hash) in try MerkleNodes.completed(leaf: TransparencyLog.leafHash(entry), at: index, siblings: siblings) {
            try await insertNode(key, hash, in: sql)
        }
    }

    static func insertNode(_ key: MerkleNodeKey, _ hash: MerkleTree.Hash, in sql: SQL) async throws {
        try await sql.execute("INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)", [key.level, key.index, Hex.encode(hash)])
    }

    /// The stored nodes among `keys`, in one query.
    static func nodes(_ keys: [MerkleNodeKey], in sql: SQL) async throws -> [MerkleNodeKey: MerkleTree.Hash] {
        guard !keys.isEmpty else { return [:] }
        let pairs = Array(repeating: "(?, ?)", count: keys.count).joined(separator: ", ")
        let values: [any SQLBindable] = keys.flatMap { [$0.level, $0.index] as [any SQLBindable] }
        var out: [MerkleNodeKey: MerkleTree.Hash] = [:]
        for row in try await sql.query("SELECT level, idx, hash FROM merkle_nodes WHERE (level, idx) IN (\(pairs))", values) {
            if let hash = Hex.decode(try row.string("hash")) { out[MerkleNodeKey(level: try row.int("level"), index: try row.int64("idx"))] = hash }
        }
        return out
    }

    public func auditSize() async throws -> Int64 {
        try await readOne("cannot read the size of the audit log") { sql in
            try await sql.one("SELECT seq FROM audit_head WHERE id = 1")?.int64("seq") ?? 0
        }
    }

    public func merkleNodes(_ keys: [MerkleNodeKey]) async throws -> [MerkleNodeKey: MerkleTree.Hash] {
        try await readOne("cannot read the audit log's Merkle nodes") { sql in try await Self.nodes(keys, in: sql) }
    }
}
