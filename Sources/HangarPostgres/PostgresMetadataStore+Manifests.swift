import Foundation
import HangarCore
import PostgresNIO

extension PostgresMetadataStore {
    /// `MetadataChange.putManifest`, inside the unit's transaction.
    static func putManifest(_ m: ManifestRecord, tag: TagRecord?, in sql: SQL) async throws {
        if let tag, tag.project != m.project || tag.digest != m.digest {
            throw HangarError.invalid("tag \(tag.tag) of \(tag.project) names \(tag.digest), not manifest \(m.digest) of \(m.project) it was pushed with")
        }
        guard try await Self.projectExists(m.project, in: sql) else { throw HangarError.notFound("project \(m.project) not found") }
        try await Self.refuseBeingCollected([m.digest] + m.references, at: m.createdAt, in: sql)
        if try await Self.manifestID(project: m.project, digest: m.digest, in: sql) == nil {
            try await Self.insertManifest(m, in: sql)
        }
        if let tag {
            try await Self.checkPlainTag(tag, in: sql)
            try await sql.execute("""
                INSERT INTO tags (project, name, digest, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (project, name) DO UPDATE
                SET digest = excluded.digest, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, [tag.project, tag.tag, tag.digest.description, PostgresRows.ms(tag.updatedAt), tag.updatedBy])
        }
    }

    /// Also answers for a candidate's manifest digest (see `ManifestIndex.manifest`).
    public func manifest(project: String, digest: Digest) async throws -> ManifestRecord? {
        try await read("cannot read manifest \(digest) of \(project)") { sql in
            let rows = try await sql.query("SELECT * FROM manifests WHERE project = ? AND digest = ?", [project, digest.description])
            if let pushed = try await Self.manifests(rows, in: sql).first { return pushed }
            return try await Self.candidateManifest(project: project, digest: digest, in: sql)
        }
    }

    public func tag(project: String, name: String) async throws -> TagRecord? {
        try await readOne("cannot read tag \(name) of \(project)") { sql in
            try await sql.one("SELECT * FROM tags WHERE project = ? AND name = ?", [project, name]).map(PostgresRows.tag)
        }
    }

    /// Names compare by their bytes (`after` is exclusive).
    public func tags(project: String, after: String?, limit: Int?) async throws -> [TagRecord] {
        if let limit, limit <= 0 { return [] }
        var values: [any SQLBindable] = [project]
        var condition = "project = ?"
        if let after {
            condition += " AND name COLLATE \"C\" > ?"
            values.append(after)
        }
        values.append(limit)
        let (query, bound) = ("SELECT * FROM tags WHERE \(condition) ORDER BY name COLLATE \"C\" LIMIT ?", values)
        return try await readOne("cannot list the tags of \(project)") { sql in
            try await sql.query(query, bound).map(PostgresRows.tag)
        }
    }

    public func referrers(project: String, subject: Digest) async throws -> [ManifestRecord] {
        try await read("cannot list the referrers of \(subject) in \(project)") { sql in
            let rows = try await sql.query("SELECT * FROM manifests WHERE project = ? AND subject = ? ORDER BY created_at, id",
                                           [project, subject.description])
            return try await Self.manifests(rows, in: sql)
        }
    }

    /// Also throws `notFound` when the project has no such manifest record.
    public func deleteManifest(project: String, digest: Digest, audit: AuditDraft) async throws {
        try await write("cannot delete manifest \(digest) of \(project)") { sql in
            guard let id = try await Self.manifestID(project: project, digest: digest, in: sql) else {
                throw HangarError.notFound("manifest \(digest) of project \(project) not found")
            }
            if let row = try await sql.query("""
                SELECT c.tag, a.name FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                WHERE c.project = ? AND a.digest = ? LIMIT 1
                """, [project, digest.description]).first {
                throw ServerStoreRules.artifactOfCandidate(digest, project: project, artifact: try row.string("name"), tag: try row.string("tag"))
            }
            let tags = try await sql.query("DELETE FROM tags WHERE project = ? AND digest = ? RETURNING name", [project, digest.description])
                .map { try $0.string("name") }
            try await sql.execute("DELETE FROM manifest_references WHERE manifest_id = ?", [id])
            try await sql.execute("DELETE FROM manifests WHERE id = ?", [id])
            var entry = audit
            entry.details["tags"] = tags.sorted().joined(separator: ",")
            _ = try await Self.append([entry], in: sql)
        }
    }

    public func deleteTag(project: String, name: String, audit: AuditDraft) async throws {
        try await write("cannot delete tag \(name) of \(project)") { sql in
            guard try await sql.execute("DELETE FROM tags WHERE project = ? AND name = ? RETURNING 1", [project, name]) == 1 else {
                throw HangarError.notFound("tag \(name) of project \(project) not found")
            }
            _ = try await Self.append([audit], in: sql)
        }
    }

    /// `MetadataChange.linkBlobs`, inside the unit's transaction: the first link's who,
    /// when and size are kept, and `last_linked_at` says when it was last linked. A blob
    /// the collector is deleting is refused (`unavailable`: upload it again); each digest's
    /// advisory lock orders this against `beginBlobDeletion`.
    static func linkBlobs(project: String, _ links: [BlobLink], in sql: SQL) async throws {
        guard try await projectExists(project, in: sql) else { throw HangarError.notFound("project \(project) not found") }
        try await lockDigests(links.map(\.digest), in: sql)
        for link in links { try await refuseBeingCollected([link.digest], at: link.at, in: sql) }
        for link in links {
            try await sql.execute("""
                INSERT INTO blob_links (project, digest, size, linked_at, linked_by, last_linked_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (project, digest) DO UPDATE SET last_linked_at = GREATEST(blob_links.last_linked_at, excluded.last_linked_at)
                """, [project, link.digest.description, link.size, PostgresRows.ms(link.at), link.by, PostgresRows.ms(link.at)])
        }
    }

    /// Transaction-scoped advisory locks on digests, in one order (no deadlocks).
    static func lockDigests(_ digests: [Digest], in sql: SQL) async throws {
        for d in Set(digests.map(\.description)).sorted() {
            try await sql.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))", [d])
        }
    }

    /// `beingCollected` for the first of `digests` whose deletion is in progress, or began
    /// less than `BlobDeletions.window` before `at` (a change made at `at`).
    static func refuseBeingCollected(_ digests: [Digest], at: Date, in sql: SQL) async throws {
        let after = PostgresRows.ms(at.addingTimeInterval(-BlobDeletions.window))
        for digest in digests where try await sql.one("""
            SELECT 1 AS x FROM blob_deletions WHERE digest = ? AND (finished_at IS NULL OR started_at >= ?)
            """, [digest.description, after]) != nil {
            throw HangarError.beingCollected(digest)
        }
    }

    /// Also true for the config and artifacts of the project's candidates.
    public func isBlobLinked(project: String, digest: Digest) async throws -> Bool {
        let values: [any SQLBindable] = Array(repeating: [project, digest.description], count: 4).flatMap { $0 }
        return try await readOne("cannot check whether blob \(digest) belongs to \(project)") { sql in
            try await sql.one("""
                SELECT EXISTS (SELECT 1 FROM blob_links WHERE project = ? AND digest = ?)
                    OR EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id
                               WHERE m.project = ? AND r.digest = ?)
                    OR EXISTS (SELECT 1 FROM candidates WHERE project = ? AND config_digest = ?)
                    OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                               WHERE c.project = ? AND a.digest = ?)
                """, values)?[0].decode(Bool.self) ?? false
        }
    }

    private static func manifestID(project: String, digest: Digest, in sql: SQL) async throws -> Int64? {
        try await sql.one("SELECT id FROM manifests WHERE project = ? AND digest = ?", [project, digest.description])?.int64("id")
    }

    private static func insertManifest(_ m: ManifestRecord, in sql: SQL) async throws {
        guard let row = try await sql.one("""
            INSERT INTO manifests (project, digest, media_type, artifact_type, size, subject, annotations, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, [m.project, m.digest.description, m.mediaType, m.artifactType, m.size, m.subject?.description,
                  PostgresRows.jsonText(m.annotations), PostgresRows.ms(m.createdAt)]) else {
            throw HangarError(.io, "the database returned no id for manifest \(m.digest)")
        }
        let id = try row.int64("id")
        for (position, reference) in m.references.enumerated() {
            try await sql.execute("INSERT INTO manifest_references (manifest_id, position, digest) VALUES (?, ?, ?)",
                                  [id, position, reference.description])
        }
    }

    /// A plain tag may not take the name of an environment or of another manifest's candidate tag.
    private static func checkPlainTag(_ tag: TagRecord, in sql: SQL) async throws {
        if try await sql.exists("SELECT EXISTS (SELECT 1 FROM environments WHERE project = ? AND name = ?)", [tag.project, tag.tag]) {
            throw HangarError.conflict("tag \(tag.tag) of \(tag.project) is an environment: it moves only by promote or rollback")
        }
        if let named = try await sql.one("SELECT digest FROM candidates WHERE project = ? AND tag = ?", [tag.project, tag.tag])?.string("digest"),
           named != tag.digest.description {
            throw HangarError.conflict("tag \(tag.tag) of \(tag.project) names candidate \(named): candidate tags never move")
        }
    }

    /// The records of manifest rows, each with its references in order.
    static func manifests(_ rows: [PostgresRandomAccessRow], in sql: SQL) async throws -> [ManifestRecord] {
        var out: [ManifestRecord] = []
        for row in rows {
            let references = try await sql.query("SELECT digest FROM manifest_references WHERE manifest_id = ? ORDER BY position",
                                                 [try row.int64("id")]).map { try PostgresRows.digest($0, "digest") }
            out.append(try PostgresRows.manifest(row, references: references))
        }
        return out
    }

    /// The manifest record of a candidate, made from its row and artifacts.
    private static func candidateManifest(project: String, digest: Digest, in sql: SQL) async throws -> ManifestRecord? {
        guard let row = try await sql.one("SELECT * FROM candidates WHERE project = ? AND digest = ?", [project, digest.description]) else {
            return nil
        }
        let artifacts = try await sql.query("SELECT digest FROM candidate_artifacts WHERE candidate_id = ? ORDER BY position",
                                            [try row.int64("id")]).map { try PostgresRows.digest($0, "digest") }
        return ManifestRecord(
            project: project, digest: digest, mediaType: MediaType.ociManifest, artifactType: MediaType.candidate,
            size: try row.int64("manifest_size"), subject: nil, annotations: [:],
            references: [try PostgresRows.digest(row, "config_digest")] + artifacts, createdAt: try PostgresRows.date(row, "created_at"))
    }
}
