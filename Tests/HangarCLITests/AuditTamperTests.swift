import Foundation
import HangarConformance
import Testing

/// Editing the SQLite file behind Hangar's back is caught by `hangar audit verify`.
@Suite struct AuditTamperTests {
    /// A store with a short history: project, candidate, three promotions, a rollback.
    func storeWithHistory() throws -> (TempDir, CLI) {
        let dir = TempDir("tamper")
        let cli = CLI(workdir: dir.path)
        try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.path + "/build/x"))
        let sha = String(repeating: "a", count: 40)
        for args in [["project", "create", "acme/app"],
                     ["cut", "acme/app", "--version", "1.0.0", "--commit", sha, "--artifact", "app=build"],
                     ["promote", "acme/app", "1.0.0-rc.1", "--to", "sandbox"],
                     ["promote", "acme/app", "1.0.0-rc.1", "--to", "staging"]] {
            let r = try cli.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        #expect(try cli.run("audit", "verify").status == 0)
        return (dir, cli)
    }

    func sql(_ dir: TempDir, _ statement: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", dir.path + "/.hangar/metadata.sqlite", statement]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "sqlite3 \(statement)")
    }

    func expectTampered(_ cli: CLI, naming: String) throws {
        let r = try cli.run("audit", "verify")
        #expect(r.status == 5, "verify must fail: \(r.stdout)")
        #expect(r.stdout.contains(naming), "verify must name '\(naming)': \(r.stdout)")
    }

    @Test func anEditedEntryIsNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, "UPDATE audit SET actor = 'mallory' WHERE seq = 3")
        try expectTampered(cli, naming: "entry 3: its content does not match its hash")
    }

    @Test func editedDetailsAreNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, "UPDATE audit SET details = replace(details, 'sandbox', 'staging') WHERE action = 'promotion' AND seq = (SELECT min(seq) FROM audit WHERE action = 'promotion')")
        try expectTampered(cli, naming: "its content does not match its hash")
    }

    @Test func aRemovedEntryIsNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, "PRAGMA foreign_keys = OFF; DELETE FROM audit WHERE seq = 2")
        try expectTampered(cli, naming: "entry 3: entries 2…2 are missing")
    }

    @Test func reorderedEntriesAreNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, """
            PRAGMA foreign_keys = OFF;
            UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1;
            """)
        try expectTampered(cli, naming: "entry 2: does not follow the entry before it")
    }

    @Test func anEditedDeploymentRowIsNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, "UPDATE deployments SET actor = 'mallory' WHERE id = 1")
        try expectTampered(cli, naming: "deployment 1 (acme/app sandbox): actor is 'mallory'")
    }

    @Test func aRewrittenPointerIsNamed() throws {
        let (dir, cli) = try storeWithHistory()
        try sql(dir, "UPDATE deployments SET environment = 'production' WHERE id = 2")
        try expectTampered(cli, naming: "deployment 2 (acme/app production): environment is 'production'")
    }
}
