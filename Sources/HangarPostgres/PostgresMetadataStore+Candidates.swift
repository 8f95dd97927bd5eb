import Foundation
import HangarCore
import PostgresNIO

extension PostgresMetadataStore {
    /// Also throws `conflict` when the project already has a candidate with this tag,
    /// version and rc, or manifest digest, and `notFound` when there is no such project.
    /// `MetadataChange.insertCandidate`, inside the unit's transaction.
    static func insertCandidate(_ c: CandidateRecord, in sql: SQL) async throws {
        try await Self.checkNew(c, in: sql)
        try await refuseBeingCollected([c.digest, c.configDigest] + c.artifacts.map(\.digest), at: c.createdAt, in: sql)
        guard let row = try await sql.one("""
            INSERT INTO candidates (project, tag, digest, version, rc, source_commit, parent, cherry_picks,
                                    config_digest, manifest_size, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, [c.project, c.tag, c.digest.description, c.version, c.rc, c.commit, c.parent?.description,
                  PostgresRows.jsonText(c.cherryPicks), c.configDigest.description, c.manifestSize,
                  PostgresRows.ms(c.createdAt), c.createdBy]) else {
            throw HangarError(.io, "the database returned no id for candidate \(c.tag)")
        }
        let id = try row.int64("id")
        for (position, artifact) in c.artifacts.enumerated() {
            try await sql.execute("""
                INSERT INTO candidate_artifacts (candidate_id, position, name, digest, size, media_type) VALUES (?, ?, ?, ?, ?, ?)
                """, [id, position, artifact.name, artifact.digest.description, artifact.size, artifact.mediaType])
        }
    }

    public func candidate(project: String, tag: String) async throws -> CandidateRecord? {
        try await readOne("cannot read candidate \(tag) of \(project)") { sql in
            try await Self.fetchCandidates(sql, where: "project = ? AND tag = ?", [project, tag]).first
        }
    }

    public func candidate(project: String, digest: Digest) async throws -> CandidateRecord? {
        try await readOne("cannot read candidate \(digest) of \(project)") { sql in
            try await Self.fetchCandidates(sql, where: "project = ? AND digest = ?", [project, digest.description]).first
        }
    }

    public func hasCandidates(project: String) async throws -> Bool {
        try await readOne("cannot read the candidates of \(project)") { sql in
            try await sql.exists("SELECT EXISTS (SELECT 1 FROM candidates WHERE project = ?)", [project])
        }
    }

    public func candidates(project: String, version: String?) async throws -> [CandidateRecord] {
        try await readOne("cannot list the candidates of \(project)") { sql in
            if let version {
                return try await Self.fetchCandidates(sql, where: "project = ? AND version = ?", [project, version])
            }
            return try await Self.fetchCandidates(sql, where: "project = ?", [project])
        }
    }

    /// Named conflicts for what the unique constraints would refuse anyway.
    private static func checkNew(_ c: CandidateRecord, in sql: SQL) async throws {
        guard try await projectExists(c.project, in: sql) else { throw HangarError.notFound("project \(c.project) not found") }
        if let row = try await sql.one("SELECT digest FROM candidates WHERE project = ? AND tag = ?", [c.project, c.tag]) {
            throw HangarError.conflict("tag \(c.tag) of \(c.project) already names candidate \(try row.string("digest")): tags never move")
        }
        if let row = try await sql.one("SELECT tag FROM candidates WHERE project = ? AND version = ? AND rc = ?", [c.project, c.version, c.rc]) {
            throw HangarError.conflict("version \(c.version) of \(c.project) already has rc \(c.rc) (tag \(try row.string("tag")))")
        }
        if let row = try await sql.one("SELECT tag FROM candidates WHERE project = ? AND digest = ?", [c.project, c.digest.description]) {
            throw HangarError.conflict("candidate \(c.digest) of \(c.project) is already recorded as tag \(try row.string("tag"))")
        }
    }

    /// Candidates matching `condition` (one of this file's constant strings), oldest first,
    /// each with its artifacts in order: one statement, so one snapshot and one round trip.
    static func fetchCandidates(_ sql: SQL, where condition: String, _ values: [any SQLBindable]) async throws -> [CandidateRecord] {
        let rows = try await sql.query("""
            SELECT c.*, a.name AS artifact_name, a.digest AS artifact_digest, a.size AS artifact_size,
                   a.media_type AS artifact_media_type
            FROM (SELECT * FROM candidates WHERE \(condition)) c
            LEFT JOIN candidate_artifacts a ON a.candidate_id = c.id
            ORDER BY c.created_at, c.id, a.position
            """, values)
        var out: [CandidateRecord] = []
        var current: (id: Int64, row: PostgresRandomAccessRow, artifacts: [ArtifactRecord])?
        for row in rows {
            let id = try row.int64("id")
            if current?.id != id {
                if let done = current { out.append(try PostgresRows.candidate(done.row, artifacts: done.artifacts)) }
                current = (id, row, [])
            }
            if let name = try row.optionalString("artifact_name") {
                current!.artifacts.append(ArtifactRecord(
                    name: name, digest: try PostgresRows.digest(row, "artifact_digest"), size: try row.int64("artifact_size"),
                    mediaType: try row.string("artifact_media_type")))
            }
        }
        if let done = current { out.append(try PostgresRows.candidate(done.row, artifacts: done.artifacts)) }
        return out
    }

    /// Whether `digest` is a candidate manifest of `project`.
    static func candidateExists(_ digest: Digest, of project: String, in sql: SQL) async throws -> Bool {
        try await sql.exists("SELECT EXISTS (SELECT 1 FROM candidates WHERE project = ? AND digest = ?)", [project, digest.description])
    }
}
