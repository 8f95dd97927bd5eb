import Synchronization
import Foundation
import GRDB
import HangarConformance
@testable import HangarSQLite
import Testing
@testable import HangarCore

private typealias F = MetadataFixtures

/// How the SQLite file is opened and shared: WAL, durable commits, waiting for the
/// write lock, schema versions and the mapping of SQLite errors.
@Suite struct SQLiteConfigurationTests {
    @Test func theFileIsInWALModeAndTheWriterCommitsDurably() async throws {
        let dir = TempDir("sqlite-pragmas")
        let store = try SQLiteMetadataStore(path: dir.sub("metadata.sqlite"))
        let (journal, synchronous, foreignKeys) = try await store.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2, "FULL: a pointer move is on disk before it is acknowledged")
        #expect(foreignKeys == true)
    }

    @Test func aWriterWaitsForAnotherProcessHoldingTheWriteLock() async throws {
        let dir = TempDir("sqlite-busy")
        let path = dir.sub("metadata.sqlite")
        let store = try SQLiteMetadataStore(path: path)
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let releasing = Mutex<Date?>(nil)
        let holder = Task.detached {
            try other.write { db in
                try db.execute(sql: "INSERT INTO audit (seq, at, actor, action, details, prev_hash, hash) VALUES (999, 0, 'x', 'x', '{}', '', '')")
                locked.signal()
                Thread.sleep(forTimeInterval: 0.6)
                try db.execute(sql: "DELETE FROM audit WHERE seq = 999")
                releasing.withLock { $0 = Date() }
            }
        }
        await withCheckedContinuation { done in DispatchQueue.global().async { locked.wait(); done.resume() } }
        let appended = try await store.appendAudit([F.draft(.blobStored)])
        let finished = Date()
        let released = try #require(releasing.withLock { $0 }, "the append finished before the other writer let go")
        #expect(finished >= released, "waited for the other writer instead of failing")
        #expect(appended.map(\.seq) == [1], "appended after the other transaction committed")
        try await holder.value
    }

    @Test func storesOpeningANewFileAtOnceAgreeOnOneSchema() async throws {
        for round in 0..<10 {
            let dir = TempDir("sqlite-open-race")
            let path = dir.sub("metadata.sqlite")
            let stores = try await Array(0..<4).concurrentMap { _ in try SQLiteMetadataStore(path: path) }
            let applied = try await stores[round % 4].pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(Set(applied) == Set(SQLiteSchema.migrator.migrations), "round \(round)")
        }
    }

    @Test func aFileWrittenByANewerHangarIsRefused() async throws {
        let dir = TempDir("sqlite-future")
        let path = dir.sub("metadata.sqlite")
        _ = try SQLiteMetadataStore(path: path)
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        let error = #expect(throws: HangarError.self) { try SQLiteMetadataStore(path: path) }
        #expect(error?.message.contains("newer Hangar") == true)
        #expect(error?.message.contains(path) == true)
    }

    @Test func constraintViolationsBecomeConflictsAndOtherErrorsIO() async throws {
        let dir = TempDir("sqlite-errors")
        let store = try SQLiteMetadataStore(path: dir.sub("metadata.sqlite"))
        try await F.seed(store)
        let duplicate = await #expect(throws: HangarError.self) {
            try await store.write("cannot copy project acme/checkout") { db in
                try db.execute(sql: "INSERT INTO projects SELECT * FROM projects")
            }
        }
        #expect(duplicate?.kind == .conflict)
        #expect(duplicate?.message.hasPrefix("cannot copy project acme/checkout: UNIQUE constraint failed: projects.name") == true)
        let dangling = await #expect(throws: HangarError.self) {
            try await store.write("cannot add environment") { db in
                try db.execute(sql: "INSERT INTO environments (project, name, position, require_predecessor, required_approvals, generation) VALUES ('ghost', 'qa', 0, 0, 0, 0)")
            }
        }
        #expect(dangling?.kind == .notFound)
        let broken = await #expect(throws: HangarError.self) {
            try await store.read("cannot read") { db in try db.execute(sql: "SELECT * FROM no_such_table") }
        }
        #expect(broken?.kind == .io && broken?.cause is DatabaseError)
    }

    @Test func aPathThatCannotBeOpenedIsAnIOErrorNamingIt() throws {
        let dir = TempDir("sqlite-bad-path")
        let path = dir.sub("missing-folder/metadata.sqlite")
        let error = #expect(throws: HangarError.self) { try SQLiteMetadataStore(path: path) }
        #expect(error?.kind == .io)
        #expect(error?.message.contains(path) == true)
    }
}
