import Foundation
import HangarConformance
import Testing

/// Values that used to crash the CLI with an arithmetic overflow (exit 132) are refused
/// with a message and exit code 2, and a huge value already stored is shown, not trapped on.
@Suite struct BoundsCLITests {
    @Test func hugeDurationsAreRefusedNotCrashedOn() throws {
        let dir = TempDir("bounds")
        let cli = CLI(workdir: dir.path)
        try cli.run("project", "create", "acme/app")
        for args in [["project", "policy", "acme/app", "--env", "staging", "--soak", "999999999999999999d"],
                     ["project", "policy", "acme/app", "--env", "staging", "--soak", "36501d"],
                     ["token", "create", "--name", "x", "--role", "ci", "--expires", "99999999999999d"],
                     ["token", "create", "--name", "y", "--role", "ci", "--expires", "9999-12-31T00:00:00Z"]] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("36500d") || r.stderr.contains("100 years"), "\(args): \(r.stderr)")
        }
        #expect(try cli.run("project", "policy", "acme/app", "--env", "staging", "--soak", "36500d").status == 0)
        let show = try cli.run("project", "show", "acme/app")
        #expect(show.status == 0 && show.stdout.contains("soak 36500d"), "\(show.stdout)")
    }

    @Test func aHugeSoakWrittenBehindHangarsBackIsShownNotCrashedOn() throws {
        let dir = TempDir("stored-bounds")
        let cli = CLI(workdir: dir.path)
        try cli.run("project", "create", "acme/app")
        let sql = "UPDATE environments SET minimum_soak_seconds = 9223372036854775807 WHERE name = 'staging'"
        let edit = Process()
        edit.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        edit.arguments = [dir.path + "/.hangar/metadata.sqlite", sql]
        try edit.run()
        edit.waitUntilExit()
        try #require(edit.terminationStatus == 0)
        let show = try cli.run("project", "show", "acme/app")
        #expect(show.status == 0 && show.stdout.contains("soak"), "\(show.status) \(show.stderr)")
    }
}
