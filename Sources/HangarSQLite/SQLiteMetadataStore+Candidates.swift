import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// `MetadataChange.insertCandidate`, inside the unit's transaction.
    static func insertCandidate(_ candidate: CandidateRecord, in db: Database) throws {
        try Self.checkNew(candidate, in: db)
        try refuseBeingCollected([candidate.digest, candidate.configDigest] + candidate.artifacts.map(\.digest), at: candidate.createdAt, in: db)
        try db.execute(sql: """
            INSERT INTO candidates (project, tag, digest, version, rc, source_commit, parent, cherry_picks,
                                    config_digest, manifest_size, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: try SQLiteRows.arguments([
                candidate.project, candidate.tag, candidate.digest.description, candidate.version, candidate.rc,
                candidate.commit, candidate.parent?.description, SQLiteRows.jsonText(candidate.cherryPicks),
                candidate.configDigest.description, candidate.manifestSize, SQLiteRows.ms(candidate.createdAt),
                candidate.createdBy,
            ]))
        let id = db.lastInsertedRowID
        for (position, artifact) in candidate.artifacts.enumerated() {
            try db.execute(sql: """
                INSERT INTO candidate_artifacts (candidate_id, position, name, digest, size, media_type)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: try SQLiteRows.arguments([
                    id, position, artifact.name, artifact.digest.description, artifact.size, artifact.mediaType,
                ]))
        }
    }

    public func candidate(project: String, tag: String) async throws -> CandidateRecord? {
        try await read("cannot read candidate \(tag) of \(project)") { db in
            try Self.fetchCandidates(db, where: "project = ? AND tag = ?", [project, tag]).first
        }
    }

    public func candidate(project: String, digest: Digest) async throws -> CandidateRecord? {
        try await readOne("cannot read candidate \(digest) of \(project)") { db in
            try Self.fetchCandidates(db, where: "project = ? AND digest = ?", [project, digest.description]).first
        }
    }

    public func hasCandidates(project: String) async throws -> Bool {
        try await readOne("cannot read the candidates of \(project)") { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM candidates WHERE project = ?)"),
                              arguments: try SQLiteRows.arguments([project])) ?? false
        }
    }

    public func candidates(project: String, version: String?) async throws -> [CandidateRecord] {
        try await read("cannot list the candidates of \(project)") { db in
            if let version {
                return try Self.fetchCandidates(db, where: "project = ? AND version = ?", [project, version])
            }
            return try Self.fetchCandidates(db, where: "project = ?", [project])
        }
    }

    /// Named conflicts for what the unique constraints would refuse anyway.
    private static func checkNew(_ c: CandidateRecord, in db: Database) throws {
        guard try projectExists(c.project, in: db) else {
            throw HangarError.notFound("project \(c.project) not found")
        }
        if let tagged = try String.fetchOne(db, sql: "SELECT digest FROM candidates WHERE project = ? AND tag = ?",
                                            arguments: try SQLiteRows.arguments([c.project, c.tag])) {
            throw HangarError.conflict("tag \(c.tag) of \(c.project) already names candidate \(tagged): tags never move")
        }
        if let tag = try String.fetchOne(db, sql: "SELECT tag FROM candidates WHERE project = ? AND version = ? AND rc = ?",
                                         arguments: try SQLiteRows.arguments([c.project, c.version, c.rc])) {
            throw HangarError.conflict("version \(c.version) of \(c.project) already has rc \(c.rc) (tag \(tag))")
        }
        if let tag = try String.fetchOne(db, sql: "SELECT tag FROM candidates WHERE project = ? AND digest = ?",
                                         arguments: try SQLiteRows.arguments([c.project, c.digest.description])) {
            throw HangarError.conflict("candidate \(c.digest) of \(c.project) is already recorded as tag \(tag)")
        }
    }

    /// Candidates matching `condition`, oldest first, each with its artifacts in order.
    static func fetchCandidates(_ db: Database, where condition: String,
                                _ values: [(any DatabaseValueConvertible)?]) throws -> [CandidateRecord] {
        // Cached statements: `condition` is one of a few constant strings of this file.
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM candidates WHERE \(condition) ORDER BY created_at, id"),
                                    arguments: try SQLiteRows.arguments(values))
        return try rows.map { row in
            let artifacts = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM candidate_artifacts WHERE candidate_id = ? ORDER BY position"),
                arguments: try SQLiteRows.arguments([try row.decode(Int64.self, forColumn: "id")])).map(SQLiteRows.artifact)
            return try SQLiteRows.candidate(row, artifacts: artifacts)
        }
    }

    /// Whether `digest` is a candidate manifest of `project`.
    static func candidateExists(_ digest: Digest, of project: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM candidates WHERE project = ? AND digest = ?)",
                          arguments: try SQLiteRows.arguments([project, digest.description])) ?? false
    }
}
