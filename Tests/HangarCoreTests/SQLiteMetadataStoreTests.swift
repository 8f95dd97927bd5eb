import Foundation
import GRDB
import HangarConformance
import Testing
@testable import HangarCore

extension MetadataStoreHarness {
    /// The SQLite backend, each store in its own temp folder (kept alive by the closure).
    static let sqlite = MetadataStoreHarness(
        makeStore: { try SQLiteMetadataStore(path: TempDir("sqlite").retained() + "/metadata.sqlite") },
        tamper: { store, action in try await SQLiteTamper.apply(action, to: (store as! SQLiteMetadataStore).pool) }
    )
}

/// Rewrites audit rows with raw SQL, with foreign keys off as an attacker would have them.
enum SQLiteTamper {
    static func apply(_ action: TamperAction, to pool: DatabasePool) async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction {
                switch action {
                case .edit(let seq):
                    try db.execute(sql: "UPDATE audit SET actor = 'mallory' WHERE seq = ?", arguments: [seq])
                case .delete(let seq):
                    try db.execute(sql: "DELETE FROM audit WHERE seq = ?", arguments: [seq])
                case .swap(let a, let b):
                    try swap(a, b, in: db)
                }
                return .commit
            }
        }
    }

    private static func swap(_ a: Int64, _ b: Int64, in db: Database) throws {
        let columns = "at, actor, action, project, subject, details, prev_hash, hash"
        let rowA = try Row.fetchOne(db, sql: "SELECT \(columns) FROM audit WHERE seq = ?", arguments: [a])!
        let rowB = try Row.fetchOne(db, sql: "SELECT \(columns) FROM audit WHERE seq = ?", arguments: [b])!
        let assignments = columns.split(separator: ", ").map { "\($0) = ?" }.joined(separator: ", ")
        for (row, seq) in [(rowB, a), (rowA, b)] {
            try db.execute(sql: "UPDATE audit SET \(assignments) WHERE seq = ?",
                           arguments: StatementArguments(Array(row.databaseValues) + [seq.databaseValue]))
        }
    }
}

@Suite struct SQLiteMetadataStoreTests {
    @Test(arguments: MetadataStoreConformance.cases)
    func conformance(_ check: MetadataStoreConformance.Case) async throws {
        try await check.run(.sqlite)
    }
}
