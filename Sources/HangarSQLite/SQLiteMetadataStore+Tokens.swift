import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    /// A name stays taken after its token is revoked, so audit entries keep naming one token.
    public func insertToken(_ token: TokenRecord, audit: AuditDraft) async throws {
        try await write("cannot store token \(token.name)") { db in
            if let name = try String.fetchOne(db, sql: "SELECT name FROM tokens WHERE id = ?",
                                              arguments: try SQLiteRows.arguments([token.id])) {
                throw HangarError.conflict("token id \(token.id) is already taken (by token \(name))")
            }
            if let id = try String.fetchOne(db, sql: "SELECT id FROM tokens WHERE name = ? AND revoked_at IS NULL",
                                            arguments: try SQLiteRows.arguments([token.name])) {
                throw TokenNames.taken(token.name, by: id)
            }
            try db.execute(sql: """
                INSERT INTO tokens (id, name, role, projects, environments, secret_hash, created_at, created_by,
                                    expires_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: try SQLiteRows.arguments([
                    token.id, token.name, token.role.rawValue, SQLiteRows.jsonText(token.projects),
                    SQLiteRows.jsonText(token.environments), token.secretHash, SQLiteRows.ms(token.createdAt),
                    token.createdBy, token.expiresAt.map(SQLiteRows.ms), token.revokedAt.map(SQLiteRows.ms),
                ]))
            _ = try Self.append([audit], in: db)
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await readOne("cannot read token \(id)") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE id = ?"),
                             arguments: try SQLiteRows.arguments([id])).map(SQLiteRows.token)
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await read("cannot list tokens") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at, rowid").map(SQLiteRows.token)
        }
    }

    /// Revoking a revoked token keeps the time of its first revocation.
    public func revokeToken(id: String, at: Date, audit: AuditDraft) async throws {
        try await write("cannot revoke token \(id)") { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                           arguments: try SQLiteRows.arguments([SQLiteRows.ms(at), id]))
            guard db.changesCount == 1 else { throw HangarError.notFound("token \(id) not found") }
            _ = try Self.append([audit], in: db)
        }
    }
}

extension SQLiteRows {
    static func token(_ row: Row) throws -> TokenRecord {
        let roleText: String = try row.decode(forColumn: "role")
        guard let role = Role(rawValue: roleText) else {
            throw HangarError.integrity("stored token role '\(roleText)' is unknown")
        }
        return TokenRecord(
            id: try row.decode(forColumn: "id"), name: try row.decode(forColumn: "name"), role: role,
            projects: try decodeJSON([String].self, row, "projects"),
            environments: try decodeJSON([String].self, row, "environments"),
            secretHash: try row.decode(forColumn: "secret_hash"), createdAt: try date(row, "created_at"),
            createdBy: try row.decode(forColumn: "created_by"), expiresAt: try optionalDate(row, "expires_at"),
            revokedAt: try optionalDate(row, "revoked_at"))
    }
}
