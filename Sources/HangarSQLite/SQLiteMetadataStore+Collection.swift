import Foundation
import GRDB
import HangarCore

extension SQLiteMetadataStore {
    public func retentionRules(project: String) async throws -> RetentionRules? {
        try await read("cannot read the retention rules of \(project)") { db in
            try String.fetchOne(db, sql: "SELECT rules FROM retention_rules WHERE project = ?", arguments: [project])
                .map { try JSONDecoder().decode(RetentionRules.self, from: Data($0.utf8)) }
        }
    }

    public func setRetentionRules(project: String, _ rules: RetentionRules, audit: AuditDraft) async throws {
        let text = String(decoding: try JSONEncoder().encode(rules), as: UTF8.self)
        try await write("cannot set the retention rules of \(project)") { db in
            guard try Self.projectExists(project, in: db) else { throw HangarError.notFound("project \(project) not found") }
            try db.execute(sql: """
                INSERT INTO retention_rules (project, rules, updated_at, updated_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (project) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, arguments: try SQLiteRows.arguments([project, text, SQLiteRows.ms(audit.at), audit.actor]))
            _ = try Self.append([audit], in: db)
        }
    }

    public func manifests(project: String) async throws -> [ManifestRecord] {
        try await read("cannot list the manifests of \(project)") { db in
            try Self.manifests(try Row.fetchAll(db, sql: "SELECT * FROM manifests WHERE project = ? ORDER BY id", arguments: [project]), in: db)
        }
    }

    public func moveEnvelopeBlobs() async throws -> Set<Digest> {
        try await read("cannot read the signed statements kept as blobs") { db in
            Set(try String.fetchAll(db, sql: """
                SELECT json_extract(a.details, '$.envelope') FROM audit a
                WHERE a.action IN ('promotion', 'rollback') AND json_extract(a.details, '$.envelope') IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM move_statements s WHERE s.digest = json_extract(a.details, '$.envelope'))
                """).compactMap(Digest.valid))
        }
    }

    public func blobsLinked(since: Date) async throws -> Set<Digest> {
        try await read("cannot read recent blob links") { db in
            Set(try Row.fetchAll(db, sql: "SELECT DISTINCT digest FROM blob_links WHERE last_linked_at >= ?",
                                 arguments: [SQLiteRows.ms(since)]).map { try SQLiteRows.digest($0, "digest") })
        }
    }

    public func collectedCandidates(project: String) async throws -> [CollectedCandidate] {
        try await read("cannot read the collected candidates of \(project)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM collected_candidates WHERE project = ? ORDER BY collected_at",
                             arguments: [project]).map(SQLiteRows.collected)
        }
    }

    public func recordCollected(_ candidates: [CollectedCandidate], since: Date) async throws -> [Digest] {
        try await write("cannot record collected candidates") { db in
            var kept: [Digest] = []
            for c in candidates {
                let inUse = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM environments WHERE project = ? AND current_digest = ?)
                        OR EXISTS (SELECT 1 FROM deployments WHERE project = ? AND to_digest = ? AND at >= ?)
                    """, arguments: try SQLiteRows.arguments([c.project, c.digest.description, c.project, c.digest.description,
                                                               SQLiteRows.ms(since)])) ?? false
                if inUse { kept.append(c.digest); continue }
                try db.execute(sql: """
                    INSERT OR IGNORE INTO collected_candidates (project, digest, tag, collected_at, rule) VALUES (?, ?, ?, ?, ?)
                    """, arguments: try SQLiteRows.arguments([c.project, c.digest.description, c.tag, SQLiteRows.ms(c.at), c.rule]))
            }
            return kept
        }
    }

    public func collectTag(project: String, name: String, digest: Digest, since: Date) async throws -> Bool {
        try await write("cannot remove tag \(name) of \(project)") { db in
            try db.execute(sql: "DELETE FROM tags WHERE project = ? AND name = ? AND digest = ? AND updated_at < ?",
                           arguments: try SQLiteRows.arguments([project, name, digest.description, SQLiteRows.ms(since)]))
            return db.changesCount == 1
        }
    }

    public func collectManifest(project: String, digest: Digest, since: Date) async throws -> Bool {
        try await write("cannot collect manifest \(digest) of \(project)") { db in
            let d = digest.description
            let named = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM tags WHERE project = ? AND digest = ?)
                    OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                               WHERE c.project = ? AND a.digest = ?)
                    OR EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id
                               WHERE m.project = ? AND r.digest = ? AND m.digest <> ?)
                    OR EXISTS (SELECT 1 FROM manifests WHERE project = ? AND digest = ? AND created_at >= ?)
                    OR EXISTS (SELECT 1 FROM blob_links WHERE project = ? AND digest = ? AND last_linked_at >= ?)
                """, arguments: try SQLiteRows.arguments([project, d, project, d, project, d, d, project, d, SQLiteRows.ms(since),
                                                           project, d, SQLiteRows.ms(since)])) ?? true
            guard !named else { return false }
            try db.execute(sql: "DELETE FROM manifests WHERE project = ? AND digest = ?", arguments: [project, d])
            return db.changesCount == 1
        }
    }

    public func beginBlobDeletions(_ digests: [Digest], since: Date, at: Date) async throws -> [Digest] {
        try await write("cannot begin deleting \(digests.count) blob(s)") { db in
            let check = try db.makeStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM blob_links WHERE digest = ?1 AND last_linked_at >= ?2)
                    OR EXISTS (SELECT 1 FROM manifests WHERE digest = ?1)
                    OR EXISTS (SELECT 1 FROM manifest_references WHERE digest = ?1)
                    OR EXISTS (SELECT 1 FROM candidates c WHERE (c.digest = ?1 OR c.config_digest = ?1)
                               AND NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest))
                    OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id WHERE a.digest = ?1
                               AND NOT EXISTS (SELECT 1 FROM collected_candidates x WHERE x.project = c.project AND x.digest = c.digest))
                    OR EXISTS (SELECT 1 FROM move_statements WHERE digest = ?1)
                """)
            var begun: [Digest] = []
            for digest in digests {
                let d = digest.description
                guard try Bool.fetchOne(check, arguments: try SQLiteRows.arguments([d, SQLiteRows.ms(since)])) == false else { continue }
                try db.execute(sql: """
                    INSERT INTO blob_deletions (digest, started_at) VALUES (?, ?)
                    ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL
                    """, arguments: try SQLiteRows.arguments([d, SQLiteRows.ms(at)]))
                try db.execute(sql: "DELETE FROM blob_links WHERE digest = ?", arguments: [d])
                begun.append(digest)
            }
            return begun
        }
    }

    public func finishBlobDeletions(_ digests: [Digest], at: Date) async throws {
        try await write("cannot finish deleting \(digests.count) blob(s)") { db in
            for digest in digests {
                try db.execute(sql: "UPDATE blob_deletions SET finished_at = ? WHERE digest = ?",
                               arguments: try SQLiteRows.arguments([SQLiteRows.ms(at), digest.description]))
            }
        }
    }

    public func pruneBlobDeletions(before: Date) async throws {
        try await write("cannot forget finished blob deletions") { db in
            try db.execute(sql: "DELETE FROM blob_deletions WHERE finished_at IS NOT NULL AND started_at < ?",
                           arguments: [SQLiteRows.ms(before)])
        }
    }

    public func pendingBlobDeletions() async throws -> [Digest] {
        try await read("cannot read blob deletions in progress") { db in
            try Row.fetchAll(db, sql: "SELECT digest FROM blob_deletions WHERE finished_at IS NULL ORDER BY digest").map { try SQLiteRows.digest($0, "digest") }
        }
    }
}

extension SQLiteRows {
    static func collected(_ row: Row) throws -> CollectedCandidate {
        CollectedCandidate(project: try row.decode(forColumn: "project"), digest: try digest(row, "digest"),
                           tag: try row.decode(forColumn: "tag"), at: try date(row, "collected_at"), rule: try row.decode(forColumn: "rule"))
    }
}
