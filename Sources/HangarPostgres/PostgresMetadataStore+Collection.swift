import Foundation
import HangarCore
import PostgresNIO

/// The collector's changes are audited writes (they take the audit head's lock, so they
/// take turns with every push, cut and move); a blob deletion also takes the digest's
/// advisory lock, which unaudited link units take too.
extension PostgresMetadataStore {
    public func retentionRules(project: String) async throws -> RetentionRules? {
        try await read("cannot read the retention rules of \(project)") { sql in
            try await sql.one("SELECT rules FROM retention_rules WHERE project = ?", [project])
                .map { try JSONDecoder().decode(RetentionRules.self, from: Data(try $0.string("rules").utf8)) }
        }
    }

    public func setRetentionRules(project: String, _ rules: RetentionRules, audit: AuditDraft) async throws {
        let text = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await write("cannot set the retention rules of \(project)") { sql in
            guard try await Self.projectExists(project, in: sql) else { throw HangarError.notFound("project \(project) not found") }
            try await sql.execute("""
                INSERT INTO retention_rules (project, rules, updated_at, updated_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (project) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, [project, text, PostgresRows.ms(audit.at), audit.actor])
            _ = try await Self.append([audit], in: sql)
        }
    }

    public func manifests(project: String) async throws -> [ManifestRecord] {
        try await read("cannot list the manifests of \(project)") { sql in
            try await Self.manifests(try await sql.query("SELECT * FROM manifests WHERE project = ? ORDER BY id", [project]), in: sql)
        }
    }

    public func moveEnvelopeBlobs() async throws -> Set<Digest> {
        try await read("cannot read the signed statements kept as blobs") { sql in
            Set(try await sql.query("""
                SELECT a.details::jsonb ->> 'envelope' AS envelope FROM audit a
                WHERE a.action IN ('promotion', 'rollback') AND a.details::jsonb ->> 'envelope' IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM move_statements s WHERE s.digest = a.details::jsonb ->> 'envelope')
                """).compactMap { Digest.valid(try $0.string("envelope")) })
        }
    }

    public func blobsLinked(since: Date) async throws -> Set<Digest> {
        try await read("cannot read recent blob links") { sql in
            Set(try await sql.query("SELECT DISTINCT digest FROM blob_links WHERE last_linked_at >= ?", [PostgresRows.ms(since)])
                .map { try PostgresRows.digest($0, "digest") })
        }
    }

    public func collectedCandidates(project: String) async throws -> [CollectedCandidate] {
        try await read("cannot read the collected candidates of \(project)") { sql in
            try await sql.query("SELECT * FROM collected_candidates WHERE project = ? ORDER BY collected_at", [project])
                .map(PostgresRows.collected)
        }
    }

    public func recordCollected(_ candidates: [CollectedCandidate], since: Date) async throws -> [Digest] {
        try await write("cannot record collected candidates") { sql in
            var kept: [Digest] = []
            for c in candidates {
                let d = c.digest.description
                let inUse = try await sql.one("""
                    SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM environments WHERE project = ? AND current_digest = ?)
                        OR EXISTS (SELECT 1 FROM deployments WHERE project = ? AND to_digest = ? AND at >= ?)
                    """, [c.project, d, c.project, d, PostgresRows.ms(since)]) != nil
                if inUse { kept.append(c.digest); continue }
                try await sql.execute("""
                    INSERT INTO collected_candidates (project, digest, tag, collected_at, rule) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, [c.project, d, c.tag, PostgresRows.ms(c.at), c.rule])
            }
            return kept
        }
    }

    public func collectTag(project: String, name: String, digest: Digest, since: Date) async throws -> Bool {
        try await write("cannot remove tag \(name) of \(project)") { sql in
            try await sql.execute("DELETE FROM tags WHERE project = ? AND name = ? AND digest = ? AND updated_at < ? RETURNING 1",
                                  [project, name, digest.description, PostgresRows.ms(since)]) == 1
        }
    }

    public func collectManifest(project: String, digest: Digest, since: Date) async throws -> Bool {
        try await write("cannot collect manifest \(digest) of \(project)") { sql in
            let d = digest.description, t = PostgresRows.ms(since)
            try await Self.lockDigests([digest], in: sql)
            let named = try await sql.one("""
                SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM tags WHERE project = ? AND digest = ?)
                    OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                               WHERE c.project = ? AND a.digest = ?)
                    OR EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id
                               WHERE m.project = ? AND r.digest = ? AND m.digest <> ?)
                    OR EXISTS (SELECT 1 FROM manifests WHERE project = ? AND digest = ? AND created_at >= ?)
                    OR EXISTS (SELECT 1 FROM blob_links WHERE project = ? AND digest = ? AND last_linked_at >= ?)
                """, [project, d, project, d, project, d, d, project, d, t, project, d, t]) != nil
            guard !named else { return false }
            return try await sql.execute("DELETE FROM manifests WHERE project = ? AND digest = ? RETURNING 1", [project, d]) == 1
        }
    }

    public func beginBlobDeletions(_ digests: [Digest], since: Date, at: Date) async throws -> [Digest] {
        try await write("cannot begin deleting \(digests.count) blob(s)") { sql in
            try await Self.lockDigests(digests, in: sql)
            var begun: [Digest] = []
            for digest in digests {
                let d = digest.description
                let referenced = try await sql.one("""
                    SELECT 1 AS x WHERE EXISTS (SELECT 1 FROM blob_links WHERE digest = ? AND last_linked_at >= ?)
                        OR EXISTS (SELECT 1 FROM manifests WHERE digest = ?)
                        OR EXISTS (SELECT 1 FROM manifest_references WHERE digest = ?)
                        OR EXISTS (SELECT 1 FROM candidates c WHERE (c.digest = ? OR c.config_digest = ?)
                                   AND NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest))
                        OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id WHERE a.digest = ?
                                   AND NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest))
                        OR EXISTS (SELECT 1 FROM move_statements WHERE digest = ?)
                    """, [d, PostgresRows.ms(since), d, d, d, d, d, d]) != nil
                if referenced { continue }
                try await sql.execute("""
                    INSERT INTO blob_deletions (digest, started_at) VALUES (?, ?)
                    ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL
                    """, [d, PostgresRows.ms(at)])
                try await sql.execute("DELETE FROM blob_links WHERE digest = ?", [d])
                begun.append(digest)
            }
            return begun
        }
    }

    public func finishBlobDeletions(_ digests: [Digest], at: Date) async throws {
        try await write("cannot finish deleting \(digests.count) blob(s)", audited: false) { sql in
            for digest in digests {
                try await sql.execute("UPDATE blob_deletions SET finished_at = ? WHERE digest = ?", [PostgresRows.ms(at), digest.description])
            }
        }
    }

    public func pruneBlobDeletions(before: Date) async throws {
        try await write("cannot forget finished blob deletions", audited: false) { sql in
            try await sql.execute("DELETE FROM blob_deletions WHERE finished_at IS NOT NULL AND started_at < ?", [PostgresRows.ms(before)])
        }
    }

    public func pendingBlobDeletions() async throws -> [Digest] {
        try await read("cannot read blob deletions in progress") { sql in
            try await sql.query("SELECT digest FROM blob_deletions WHERE finished_at IS NULL ORDER BY digest").map { try PostgresRows.digest($0, "digest") }
        }
    }
}

extension PostgresRows {
    static func collected(_ row: PostgresRandomAccessRow) throws -> CollectedCandidate {
        CollectedCandidate(project: try row.string("project"), digest: try digest(row, "digest"), tag: try row.string("tag"),
                           at: try date(row, "collected_at"), rule: try row.string("rule"))
    }
}
