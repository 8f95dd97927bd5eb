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
            entries.append(entry)
            previous = (entry.seq, entry.hash)
        }
        if let last = entries.last {
            try await sql.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [last.seq, last.hash])
        }
        return entries
    }
}
