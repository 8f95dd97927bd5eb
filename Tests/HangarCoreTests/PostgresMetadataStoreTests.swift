import Foundation
import HangarConformance
@testable import HangarPostgres
import PostgresNIO
import HangarFileSystem
import Testing
@testable import HangarCore

extension MetadataStoreHarness {
    /// The PostgreSQL backend on a real server this process starts (`PostgresCluster`),
    /// each store on a database of its own.
    static let postgres = MetadataStoreHarness(
        makeStore: { try await PostgresMetadataStore(url: try PostgresCluster.shared().makeDatabase()) },
        tamper: { store, action in try await PostgresTamper.apply(action, to: store as! PostgresMetadataStore) },
        secondHandle: { store in
            let first = store as! PostgresMetadataStore
            return try await PostgresMetadataStore(url: first.location)
        }
    )
}

/// Rewrites audit rows with raw SQL, as someone with database access would.
enum PostgresTamper {
    static func apply(_ action: TamperAction, to store: PostgresMetadataStore) async throws {
        try await store.client.withConnection { connection in
            let sql = SQL(connection: connection, logger: store.logger)
            switch action {
            case .edit(let seq):
                try await sql.execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?", [seq])
            case .delete(let seq):
                try await sql.execute("ALTER TABLE deployments DROP CONSTRAINT IF EXISTS deployments_audit_seq_fkey")
                try await sql.execute("DELETE FROM audit WHERE seq = ?", [seq])
            case .swap(let a, let b):
                let columns = ["at", "actor", "action", "project", "subject", "details", "prev_hash", "hash"]
                let assignments = columns.map { "\($0) = o.\($0)" }.joined(separator: ", ")
                try await sql.execute("""
                    UPDATE audit SET \(assignments) FROM audit o
                    WHERE (audit.seq = ? AND o.seq = ?) OR (audit.seq = ? AND o.seq = ?)
                    """, [a, b, b, a])
            }
        }
    }
}

@Suite struct PostgresMetadataStoreTests {
    @Test(arguments: MetadataStoreConformance.cases)
    func conformance(_ check: MetadataStoreConformance.Case) async throws {
        try await check.run(.postgres)
    }

    @Test func aURLThatIsNotPostgresNamesWhatIsWrong() async throws {
        for (url, named) in [("mysql://u@h/db", "postgres://"), ("postgres://h/db", "no user"), ("postgres://u@h", "no database"),
                             ("postgres://u@h/", "no database")] {
            let e = await #expect(throws: HangarError.self) { _ = try await PostgresMetadataStore(url: url) }
            #expect(e?.kind == .invalidInput && e?.message.contains(named) == true, "\(url): \(e?.message ?? "")")
        }
    }

    @Test func aMoveOnOneServerWakesWatchersOnAnotherAtOnce() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let here = HangarService(blobs: try FileSystemBlobStore(root: TempDir("feed").retained()), metadata: try await PostgresMetadataStore(url: url))
        let elsewhere = try await PostgresMetadataStore(url: url)
        let c = try await MetadataFixtures.seed(elsewhere, candidates: 2)
        let following = Task { await here.followChanges() }
        defer { following.cancel() }
        try await Task.sleep(for: .milliseconds(300))  // the feed is listening
        var woken: [Double] = []
        for candidate in c {
            let start = ContinuousClock.now
            async let wait: Void = here.changes.wait(project: "acme/checkout", timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(50))
            _ = try await MetadataFixtures.move(elsewhere, environment: "sandbox", to: candidate.digest, at: MetadataFixtures.at(100))
            await wait
            let d = ContinuousClock.now - start
            woken.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        #expect(woken.allSatisfy { $0 < 2 }, "woken by the other server's move, not by the 10 s timeout: \(woken)")
        // A change that does not commit notifies nobody.
        let start = ContinuousClock.now
        async let quiet: Void = here.changes.wait(project: "acme/checkout", timeout: .seconds(1))
        _ = try? await elsewhere.movePointer(project: "acme/checkout", environment: "sandbox", expectedGeneration: 0,
                                             draft: DeploymentDraft(to: c[0].digest, kind: .promote, actor: "x", at: MetadataFixtures.at(200),
                                                                    reason: nil, overridden: []),
                                             audit: [MetadataFixtures.draft(.promotion, subject: "sandbox")])
        await quiet
        #expect(ContinuousClock.now - start >= .milliseconds(900), "a refused move (stale generation) wakes no one")
    }

    @Test func aDatabaseThatGoesAwayMakesCallsUnavailableNotHangOrCrash() async throws {
        let cluster = try PostgresCluster.startPrivate()
        defer { cluster.stop() }
        let url = try cluster.makeDatabase()
        // Seeded with the default timeout: on a loaded machine a write may take longer than the
        // 3 s this test gives the store it then watches lose its database.
        _ = try await MetadataFixtures.seed(try await PostgresMetadataStore(url: url), candidates: 1)
        let store = try await PostgresMetadataStore(url: url, operationTimeout: .seconds(3))
        #expect(try await store.projects().count == 1)
        cluster.stop()
        let start = ContinuousClock.now
        for call in ["read", "write"] {
            let e = await #expect(throws: HangarError.self, "\(call) with the database gone") {
                if call == "read" { _ = try await store.projects() } else { try await store.appendAudit([MetadataFixtures.draft(.blobStored)]) }
            }
            #expect(e?.kind == .unavailable, "\(call): \(e?.description ?? "")")
        }
        #expect(ContinuousClock.now - start < .seconds(10), "answered within the operation timeout, not hung")
    }

    @Test func anUnreachableServerIsUnavailable() async throws {
        let e = await #expect(throws: HangarError.self) { _ = try await PostgresMetadataStore(url: "postgres://u@127.0.0.1:1/db", connectTimeout: .seconds(2)) }
        #expect(e?.kind == .unavailable, "\(e?.description ?? "")")
    }
}
