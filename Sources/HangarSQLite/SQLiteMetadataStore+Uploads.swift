import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func createUploadSession(_ s: UploadSessionRecord, maxPerOwner: Int, maxTotal: Int) async throws {
        try await write("cannot record upload session \(s.id)") { db in
            let owned = try Int.fetchOne(db, sql: "SELECT count(*) FROM upload_sessions WHERE owner = ?", arguments: [s.owner]) ?? 0
            guard owned < maxPerOwner else {
                throw HangarError(.unavailable, "\(s.owner) already has \(maxPerOwner) upload sessions open: finish or cancel one first",
                                  cause: UploadLimit.perOwner, retryAfter: 60)
            }
            let all = try Int.fetchOne(db, sql: "SELECT count(*) FROM upload_sessions") ?? 0
            guard all < maxTotal else {
                throw HangarError(.unavailable, "the server has \(maxTotal) upload sessions open, its limit: retry later",
                                  cause: UploadLimit.total, retryAfter: 60)
            }
            do {
                try db.execute(sql: """
                    INSERT INTO upload_sessions (id, project, owner, started_at, updated_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: try SQLiteRows.arguments([s.id, s.project, s.owner, SQLiteRows.ms(s.startedAt), SQLiteRows.ms(s.updatedAt)]))
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                throw HangarError.conflict("upload session \(s.id) exists")
            }
        }
    }

    public func uploadSession(id: String) async throws -> UploadSessionRecord? {
        try await read("cannot read upload session \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM upload_sessions WHERE id = ?", arguments: [id]).map(SQLiteRows.uploadSession)
        }
    }

    public func touchUploadSession(id: String, at: Date) async throws {
        try await write("cannot note the use of upload session \(id)") { db in
            try db.execute(sql: "UPDATE upload_sessions SET updated_at = max(updated_at, ?) WHERE id = ?",
                           arguments: try SQLiteRows.arguments([SQLiteRows.ms(at), id]))
        }
    }

    @discardableResult
    public func deleteUploadSession(id: String) async throws -> Bool {
        try await write("cannot end upload session \(id)") { db in
            try db.execute(sql: "DELETE FROM upload_sessions WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func idleUploadSessions(before: Date, limit: Int) async throws -> [UploadSessionRecord] {
        try await read("cannot list idle upload sessions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM upload_sessions WHERE updated_at < ? ORDER BY updated_at, id LIMIT ?",
                             arguments: try SQLiteRows.arguments([SQLiteRows.ms(before), limit])).map(SQLiteRows.uploadSession)
        }
    }
}

extension SQLiteRows {
    static func uploadSession(_ row: Row) throws -> UploadSessionRecord {
        UploadSessionRecord(id: try row.decode(forColumn: "id"), project: try row.decode(forColumn: "project"),
                            owner: try row.decode(forColumn: "owner"), startedAt: try date(row, "started_at"),
                            updatedAt: try date(row, "updated_at"))
    }
}
