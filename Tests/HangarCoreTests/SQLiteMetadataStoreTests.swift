import Foundation
import GRDB
import HangarConformance
@testable import HangarSQLite
import Testing
@testable import HangarCore

extension MetadataStoreHarness {
    /// The SQLite backend, each store in its own temp folder (kept alive by the closure).
    static let sqlite = MetadataStoreHarness(
        makeStore: { try SQLiteMetadataStore(path: TempDir("sqlite").retained() + "/metadata.sqlite") },
        tamper: { store, action in try await SQLiteTamper.apply(action, to: (store as! SQLiteMetadataStore).pool) },
        secondHandle: { store in try SQLiteMetadataStore(path: (store as! SQLiteMetadataStore).path) }
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

private typealias F = MetadataFixtures

/// Everything a store holds about one project, for comparing two views of one file.
private struct Snapshot: Equatable {
    var projects: [ProjectRecord]
    var environments: [EnvironmentRecord]
    var candidates: [CandidateRecord]
    var deployments: [DeploymentRecord]
    var approvals: [ApprovalRecord]
    var audit: [AuditEntry]

    init(_ store: any MetadataStore, project: String = "acme/checkout", approvalsOf candidate: Digest) async throws {
        projects = try await store.projects()
        environments = try await store.environments(project: project)
        candidates = try await store.candidates(project: project, version: nil)
        deployments = try await store.deployments(project: project, environment: nil, before: nil, limit: nil)
        approvals = try await store.approvals(project: project, environment: "production", candidate: candidate)
        audit = try await F.auditLog(store)
    }
}

extension SQLiteMetadataStoreTests {
    @Test func reopeningTheFileKeepsEverything() async throws {
        let dir = TempDir("sqlite-reopen")
        let path = dir.sub("metadata.sqlite")
        var store: SQLiteMetadataStore? = try SQLiteMetadataStore(path: path)
        let c = try await F.seed(store!, candidates: 3)
        _ = try await F.move(store!, environment: "sandbox", to: c[0].digest, at: F.at(10))
        _ = try await F.move(store!, environment: "sandbox", to: c[2].digest, at: F.at(20))
        _ = try await F.move(store!, environment: "production", to: c[0].digest, at: F.at(30), kind: .rollback)
        let approval = ApprovalRecord(project: "acme/checkout", environment: "production", candidate: c[0].digest,
                                      actor: "vera", at: F.at(25), comment: "ok")
        try await store!.addApproval(approval, audit: F.draft(.approval, subject: "production"))
        let before = try await Snapshot(store!, approvalsOf: c[0].digest)
        #expect(before.deployments.count == 3 && before.approvals == [approval] && before.audit.count == 8)
        store = nil

        let reopened = try SQLiteMetadataStore(path: path)
        let after = try await Snapshot(reopened, approvalsOf: c[0].digest)
        #expect(after == before)
        #expect(AuditChain.verify(after.audit, after: nil).isEmpty)
        let next = try await F.move(reopened, environment: "sandbox", to: c[1].digest, at: F.at(40)).0
        #expect(next.from == c[2].digest && next.id > before.deployments.map(\.id).max()!)
        #expect(try await reopened.appendAudit([F.draft(.blobStored)]).first?.seq == 10)
    }

    @Test func twoStoresOnOneFileKeepOneUnbrokenChain() async throws {
        let dir = TempDir("sqlite-two")
        let path = dir.sub("metadata.sqlite")
        let opened = try await [0, 1].concurrentMap { _ in try SQLiteMetadataStore(path: path) }
        let (a, b) = (opened[0], opened[1])
        let c = try await F.seed(a, candidates: 10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<10 {
                let (mover, auditor) = i.isMultiple(of: 2) ? (a, b) : (b, a)
                group.addTask { _ = try await F.move(mover, environment: "staging", to: c[i].digest, at: F.at(Double(100 + i))) }
                group.addTask {
                    try await auditor.appendAudit([F.draft(.blobStored, subject: "blob \(i)"), F.draft(.blobStored, subject: "blob \(i)+")])
                }
            }
            try await group.waitForAll()
        }
        let log = try await F.auditLog(b)
        #expect(try await F.auditLog(a) == log)
        #expect(log.map(\.seq) == Array(1...Int64(1 + 10 + 10 + 20)))
        #expect(AuditChain.verify(log, after: nil).isEmpty)
        let moves = try await a.allDeployments()
        #expect(moves.count == 10 && moves.first?.from == nil)
        #expect(zip(moves, moves.dropFirst()).allSatisfy { $1.from == $0.to })
        #expect(moves.allSatisfy { log[Int($0.auditSeq) - 1].details["to"] == $0.to.description })
        let staging = try await F.environment(b, "acme/checkout", "staging")
        #expect(staging.generation == 10 && staging.current == moves.last?.to)
    }

    @Test func anAuditRowEditedWithRawSQLIsCaught() async throws {
        let dir = TempDir("sqlite-raw")
        let path = dir.sub("metadata.sqlite")
        let store = try SQLiteMetadataStore(path: path)
        let c = try await F.seed(store, candidates: 2)
        let move = try await F.move(store, environment: "production", to: c[1].digest, at: F.at(10)).0
        try await store.appendAudit([F.draft(.blobStored, subject: "after")])
        #expect(AuditChain.verify(try await F.auditLog(store), after: nil).isEmpty)

        let attacker = try DatabaseQueue(path: path)
        try await attacker.write { db in
            try db.execute(sql: "UPDATE audit SET details = ? WHERE seq = ?",
                           arguments: [#"{"to":"\#(c[0].digest)"}"#, move.auditSeq])
        }
        let breaks = AuditChain.verify(try await F.auditLog(store), after: nil)
        #expect(breaks.map(\.seq) == [move.auditSeq])
        #expect(breaks.first?.problem.contains("edited") == true)
    }
}

extension Array where Element: Sendable {
    /// Maps every element at once, each on its own task, keeping the order.
    func concurrentMap<T: Sendable>(_ transform: @escaping @Sendable (Element) throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (i, element) in enumerated() { group.addTask { (i, try transform(element)) } }
            var results = [(Int, T)]()
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
