import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// `MetadataChange.putManifest`, inside the unit's transaction.
    static func putManifest(_ m: ManifestRecord, tag: TagRecord?, in db: Database) throws {
        if let tag, tag.project != m.project || tag.digest != m.digest {
            throw HangarError.invalid("tag \(tag.tag) of \(tag.project) names \(tag.digest), not manifest \(m.digest) of \(m.project) it was pushed with")
        }
        guard try Self.projectExists(m.project, in: db) else {
            throw HangarError.notFound("project \(m.project) not found")
        }
        try refuseBeingCollected([m.digest] + m.references, at: m.createdAt, in: db)
        if try Self.manifestID(project: m.project, digest: m.digest, in: db) == nil {
            try Self.insertManifest(m, in: db)
        }
        if let tag {
            try Self.checkPlainTag(tag, in: db)
            try db.execute(sql: """
                INSERT INTO tags (project, name, digest, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (project, name) DO UPDATE
                SET digest = excluded.digest, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, arguments: try SQLiteRows.arguments([
                    tag.project, tag.tag, tag.digest.description, SQLiteRows.ms(tag.updatedAt), tag.updatedBy,
                ]))
        }
    }

    /// Also answers for a candidate's manifest digest with a record made from the candidate
    /// row (OCI image manifest of Hangar's candidate artifact type, referencing its config
    /// then its artifacts; no annotations or subject, which the row does not keep) unless
    /// the manifest was also pushed over the OCI API, whose record comes first.
    public func manifest(project: String, digest: Digest) async throws -> ManifestRecord? {
        try await read("cannot read manifest \(digest) of \(project)") { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM manifests WHERE project = ? AND digest = ?"),
                                        arguments: try SQLiteRows.arguments([project, digest.description]))
            if let pushed = try Self.manifests(rows, in: db).first { return pushed }
            return try Self.candidateManifest(project: project, digest: digest, in: db)
        }
    }

    public func tag(project: String, name: String) async throws -> TagRecord? {
        try await readOne("cannot read tag \(name) of \(project)") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tags WHERE project = ? AND name = ?"),
                             arguments: try SQLiteRows.arguments([project, name])).map(SQLiteRows.tag)
        }
    }

    /// Names compare by their bytes (`after` is exclusive).
    public func tags(project: String, after: String?, limit: Int?) async throws -> [TagRecord] {
        if let limit, limit <= 0 { return [] }
        var values: [(any DatabaseValueConvertible)?] = [project]
        var condition = "project = ?"
        if let after {
            condition += " AND name > ?"
            values.append(after)
        }
        values.append(limit ?? -1)
        let arguments = try SQLiteRows.arguments(values)
        let sql = "SELECT * FROM tags WHERE \(condition) ORDER BY name LIMIT ?"
        return try await read("cannot list the tags of \(project)") { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteRows.tag)
        }
    }

    public func referrers(project: String, subject: Digest) async throws -> [ManifestRecord] {
        try await read("cannot list the referrers of \(subject) in \(project)") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM manifests WHERE project = ? AND subject = ? ORDER BY created_at, id",
                                        arguments: try SQLiteRows.arguments([project, subject.description]))
            return try Self.manifests(rows, in: db)
        }
    }

    /// Also throws `notFound` when the project has no such manifest record (a candidate's
    /// manifest is not one: candidates are never deleted here).
    public func deleteManifest(project: String, digest: Digest, audit: AuditDraft) async throws {
        try await write("cannot delete manifest \(digest) of \(project)") { db in
            guard let id = try Self.manifestID(project: project, digest: digest, in: db) else {
                throw HangarError.notFound("manifest \(digest) of project \(project) not found")
            }
            let arguments = try SQLiteRows.arguments([project, digest.description])
            if let row = try Row.fetchOne(db, sql: """
                SELECT c.tag, a.name FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                WHERE c.project = ? AND a.digest = ? LIMIT 1
                """, arguments: arguments) {
                throw ServerStoreRules.artifactOfCandidate(digest, project: project, artifact: row["name"], tag: row["tag"])
            }
            let tags = try String.fetchAll(db, sql: "DELETE FROM tags WHERE project = ? AND digest = ? RETURNING name", arguments: arguments)
            try db.execute(sql: "DELETE FROM manifest_references WHERE manifest_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM manifests WHERE id = ?", arguments: [id])
            var entry = audit
            entry.details["tags"] = tags.sorted().joined(separator: ",")
            _ = try Self.append([entry], in: db)
        }
    }

    public func deleteTag(project: String, name: String, audit: AuditDraft) async throws {
        try await write("cannot delete tag \(name) of \(project)") { db in
            try db.execute(sql: "DELETE FROM tags WHERE project = ? AND name = ?", arguments: try SQLiteRows.arguments([project, name]))
            guard db.changesCount == 1 else { throw HangarError.notFound("tag \(name) of project \(project) not found") }
            _ = try Self.append([audit], in: db)
        }
    }

    /// `MetadataChange.linkBlobs`, inside the unit's transaction: the first link's who,
    /// when and size are kept, and `last_linked_at` says when it was last linked. A blob
    /// the collector is deleting is refused (`unavailable`: upload it again).
    static func linkBlobs(project: String, _ links: [BlobLink], in db: Database) throws {
        guard try projectExists(project, in: db) else { throw HangarError.notFound("project \(project) not found") }
        for link in links { try refuseBeingCollected([link.digest], at: link.at, in: db) }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO blob_links (project, digest, size, linked_at, linked_by, last_linked_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (project, digest) DO UPDATE SET last_linked_at = max(last_linked_at, excluded.last_linked_at)
            """)
        for link in links {
            try statement.execute(arguments: try SQLiteRows.arguments([
                project, link.digest.description, link.size, SQLiteRows.ms(link.at), link.by, SQLiteRows.ms(link.at)]))
        }
    }

    /// `beingCollected` for the first of `digests` whose deletion is in progress, or began
    /// less than `BlobDeletions.window` before `at` (a change made at `at`).
    static func refuseBeingCollected(_ digests: [Digest], at: Date, in db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM blob_deletions WHERE digest = ? AND (finished_at IS NULL OR started_at >= ?))
            """)
        let after = SQLiteRows.ms(at.addingTimeInterval(-BlobDeletions.window))
        for digest in digests where try Bool.fetchOne(statement, arguments: [digest.description, after]) == true {
            throw HangarError.beingCollected(digest)
        }
    }

    /// Also true for the config and artifacts of the project's candidates.
    public func isBlobLinked(project: String, digest: Digest) async throws -> Bool {
        let arguments = try SQLiteRows.arguments(Array(repeating: [project, digest.description], count: 4).flatMap { $0 })
        return try await readOne("cannot check whether blob \(digest) belongs to \(project)") { db in
            try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM blob_links WHERE project = ? AND digest = ?)
                    OR EXISTS (SELECT 1 FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id
                               WHERE m.project = ? AND r.digest = ?)
                    OR EXISTS (SELECT 1 FROM candidates WHERE project = ? AND config_digest = ?)
                    OR EXISTS (SELECT 1 FROM candidate_artifacts a JOIN candidates c ON c.id = a.candidate_id
                               WHERE c.project = ? AND a.digest = ?)
                """), arguments: arguments) ?? false
        }
    }
}

extension SQLiteMetadataStore {
    private static func manifestID(project: String, digest: Digest, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM manifests WHERE project = ? AND digest = ?",
                           arguments: try SQLiteRows.arguments([project, digest.description]))
    }

    private static func insertManifest(_ m: ManifestRecord, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO manifests (project, digest, media_type, artifact_type, size, subject, annotations, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: try SQLiteRows.arguments([
                m.project, m.digest.description, m.mediaType, m.artifactType, m.size, m.subject?.description,
                SQLiteRows.jsonText(m.annotations), SQLiteRows.ms(m.createdAt),
            ]))
        let id = db.lastInsertedRowID
        for (position, reference) in m.references.enumerated() {
            try db.execute(sql: "INSERT INTO manifest_references (manifest_id, position, digest) VALUES (?, ?, ?)",
                           arguments: try SQLiteRows.arguments([id, position, reference.description]))
        }
    }

    /// A plain tag may not take the name of an environment or of another manifest's candidate tag.
    private static func checkPlainTag(_ tag: TagRecord, in db: Database) throws {
        let arguments = try SQLiteRows.arguments([tag.project, tag.tag])
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM environments WHERE project = ? AND name = ?)",
                             arguments: arguments) == true {
            throw HangarError.conflict("tag \(tag.tag) of \(tag.project) is an environment: it moves only by promote or rollback")
        }
        if let named = try String.fetchOne(db, sql: "SELECT digest FROM candidates WHERE project = ? AND tag = ?",
                                           arguments: arguments), named != tag.digest.description {
            throw HangarError.conflict("tag \(tag.tag) of \(tag.project) names candidate \(named): candidate tags never move")
        }
    }

    /// The records of manifest rows, each with its references in order.
    static func manifests(_ rows: [Row], in db: Database) throws -> [ManifestRecord] {
        try rows.map { row in
            let references = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT digest FROM manifest_references WHERE manifest_id = ? ORDER BY position"),
                arguments: [try row.decode(Int64.self, forColumn: "id")]).map { try SQLiteRows.digest($0, "digest") }
            return try SQLiteRows.manifest(row, references: references)
        }
    }

    /// The manifest record of a candidate, made from its row and artifacts.
    private static func candidateManifest(project: String, digest: Digest, in db: Database) throws -> ManifestRecord? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM candidates WHERE project = ? AND digest = ?"),
                                         arguments: try SQLiteRows.arguments([project, digest.description])) else {
            return nil
        }
        let artifacts = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT digest FROM candidate_artifacts WHERE candidate_id = ? ORDER BY position"),
            arguments: [try row.decode(Int64.self, forColumn: "id")]).map { try SQLiteRows.digest($0, "digest") }
        return ManifestRecord(
            project: project, digest: digest, mediaType: MediaType.ociManifest, artifactType: MediaType.candidate,
            size: try row.decode(forColumn: "manifest_size"), subject: nil, annotations: [:],
            references: [try SQLiteRows.digest(row, "config_digest")] + artifacts,
            createdAt: try SQLiteRows.date(row, "created_at"))
    }
}

extension SQLiteRows {
    static func manifest(_ row: Row, references: [Digest]) throws -> ManifestRecord {
        ManifestRecord(
            project: try row.decode(forColumn: "project"), digest: try digest(row, "digest"),
            mediaType: try row.decode(forColumn: "media_type"), artifactType: try row.decode(forColumn: "artifact_type"),
            size: try row.decode(forColumn: "size"), subject: try optionalDigest(row, "subject"),
            annotations: try decodeJSON([String: String].self, row, "annotations"), references: references,
            createdAt: try date(row, "created_at"))
    }

    static func tag(_ row: Row) throws -> TagRecord {
        TagRecord(
            project: try row.decode(forColumn: "project"), tag: try row.decode(forColumn: "name"),
            digest: try digest(row, "digest"), updatedAt: try date(row, "updated_at"),
            updatedBy: try row.decode(forColumn: "updated_by"))
    }
}
