import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hangar agent --once` against a real server: it deploys what the environment points at,
/// reports on the deployment, follows a rollback, does not redeploy after a restart, and
/// refuses a corrupt blob while leaving the running folder untouched.
@Suite(.serialized) struct AgentTests {
    typealias Setup = RemoteFlowTests.Setup

    /// The agent command for sandbox, with a hook appending "TAG DIGEST ENV TARGET" to hook.log.
    func agent(_ s: Setup) -> [String] {
        ["agent", "--project", "acme/checkout", "--env", "sandbox", "--to", s.dir.path + "/srv/app", "--once",
         "--exec", "echo \"$HANGAR_TAG $HANGAR_DIGEST $HANGAR_ENV $HANGAR_TARGET\" >> '\(s.dir.path)/hook.log'"]
    }

    /// The agent runs with a deployer token only.
    func deployer(_ s: Setup) -> Hangar {
        var h = s.hangar
        h.environment["HANGAR_TOKEN"] = s.server.secrets["agent"] ?? ""
        return h
    }

    func hookLines(_ s: Setup) -> [String] {
        (s.read("hook.log") ?? "").split(separator: "\n").map(String.init)
    }

    func sandbox(_ h: Hangar) throws -> [String: Any] {
        let rows = try h.json("status", "acme/checkout") as? [[String: Any]] ?? []
        return rows.first { $0["environment"] as? String == "sandbox" } ?? [:]
    }

    func cutApp(_ s: Setup, _ command: String, version: String, commit: String, content: String) throws -> String {
        try s.write("build/app/app.txt", content)
        let r = try s.hangar.run(command, "acme/checkout", "--version", version, "--commit", commit, "--artifact", "app=build/app", "--json")
        #expect(r.status == 0, "\(command): \(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let candidate = (report?["result"] as? [String: Any])?["candidate"] as? [String: Any]
        return candidate?["digest"] as? String ?? ""
    }

    @Test func theAgentDeploysMovesReportsThemAndDoesNotRedeploy() throws {
        let s = try Setup(tokens: ["admin": "admin", "agent": "deployer"])
        let h = s.hangar, a = deployer(s)
        try h.ok("project", "create", "acme/checkout")
        let rc1 = try cutApp(s, "cut", version: "2.4.0", commit: RemoteFlowTests.sha1, content: "v1")
        let rc2 = try cutApp(s, "cherry-pick", version: "2.4.0", commit: RemoteFlowTests.sha2, content: "v2")

        try a.ok(agent(s))
        #expect(!FileManager.default.fileExists(atPath: s.dir.path + "/srv/app"), "nothing to deploy yet")

        try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox")
        let first = try a.run(agent(s))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(s.read("srv/app/app/app.txt") == "v1")
        #expect(hookLines(s) == ["2.4.0-rc.1 \(rc1) sandbox \(s.dir.path)/srv/app"])
        #expect(first.stderr.contains("deploying 2.4.0-rc.1"), "one log line per action: \(first.stderr)")
        let report = try sandbox(h)["report"] as? [String: Any]
        #expect(report?["status"] as? String == "succeeded")
        #expect(report?["agent"] as? String == "agent", "the server names the agent after its token")

        try a.ok(agent(s))
        #expect(hookLines(s).count == 1, "a restarted agent does not deploy again")

        try h.ok("promote", "acme/checkout", "2.4.0-rc.2", "--to", "sandbox")
        try a.ok(agent(s))
        #expect(s.read("srv/app/app/app.txt") == "v2")
        try h.ok("rollback", "acme/checkout", "--env", "sandbox")
        try a.ok(agent(s))
        #expect(s.read("srv/app/app/app.txt") == "v1", "a rollback reaches the agent the same way")
        #expect(hookLines(s).map { String($0.split(separator: " ")[1]) } == [rc1, rc2, rc1])
        let history = try #require(try h.json("history", "acme/checkout", "--env", "sandbox") as? [[String: Any]])
        let reports = (history.first?["reports"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
        #expect(reports == ["succeeded", "in-progress"], "the rollback's deployment got both reports, newest first")
        let state = try #require(s.read("srv/.app.hangar-agent.json"))
        #expect(state.contains(rc1))
    }

    @Test func aCorruptBlobIsReportedFailedAndTheRunningFolderIsUntouched() throws {
        let s = try Setup(tokens: ["admin": "admin", "agent": "deployer"])
        let h = s.hangar, a = deployer(s)
        try h.ok("project", "create", "acme/checkout")
        _ = try cutApp(s, "cut", version: "2.4.0", commit: RemoteFlowTests.sha1, content: "v1")
        try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox")
        try a.ok(agent(s))
        #expect(s.read("srv/app/app/app.txt") == "v1")
        let stateBefore = s.read("srv/.app.hangar-agent.json")

        _ = try cutApp(s, "cut", version: "2.5.0", commit: RemoteFlowTests.sha2, content: String(repeating: "v3 ", count: 5000))
        let shown = try #require(try h.json("show", "acme/checkout", "2.5.0-rc.1") as? [String: Any])
        let artifacts = (shown["candidate"] as? [String: Any])?["artifacts"] as? [[String: Any]]
        let blob = try #require(artifacts?.first?["digest"] as? String)
        try flipByte(in: s.server.blobFile(blob))
        try h.ok("promote", "acme/checkout", "2.5.0-rc.1", "--to", "sandbox")

        let failed = try a.run(agent(s))
        #expect(failed.status == 1, "a failed deployment exits 1: \(failed.stderr)")
        #expect(failed.stderr.contains("failed"), "\(failed.stderr)")
        #expect(s.read("srv/app/app/app.txt") == "v1", "the running folder is untouched")
        #expect(hookLines(s).count == 1, "the hook did not run")
        #expect(s.read("srv/.app.hangar-agent.json") == stateBefore, "the state still names what runs")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.dir.path + "/srv").sorted()
        #expect(leftovers == [".app.hangar-agent.json", ".app.hangar-fetch", "app"], "no temp files or folders are left behind (the fetch marker names what app holds)")
        let report = try sandbox(h)["report"] as? [String: Any]
        #expect(report?["status"] as? String == "failed")
        let message = (report?["message"] as? String) ?? ""
        #expect(message.contains("2.5.0-rc.1") && message.contains("failed"), "\(message)")
    }

    @Test func aRunningAgentFollowsTheEnvironmentThroughTheWatch() throws {
        let s = try Setup(tokens: ["admin": "admin", "agent": "deployer"])
        let h = s.hangar
        try h.ok("project", "create", "acme/checkout")
        let rc1 = try cutApp(s, "cut", version: "2.4.0", commit: RemoteFlowTests.sha1, content: "v1")
        let rc2 = try cutApp(s, "cherry-pick", version: "2.4.0", commit: RemoteFlowTests.sha2, content: "v2")
        let running = try BackgroundHangar(deployer(s), Array(agent(s).filter { $0 != "--once" }) + ["--interval", "200ms"],
                                           log: s.dir.path + "/agent.log")
        defer { running.stop() }

        try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox")
        #expect(waitFor { hookLines(s).count == 1 }, "deployed rc.1: \(running.log)")
        try h.ok("promote", "acme/checkout", "2.4.0-rc.2", "--to", "sandbox")
        #expect(waitFor { hookLines(s).count == 2 }, "deployed rc.2: \(running.log)")
        #expect(s.read("srv/app/app/app.txt") == "v2")
        try h.ok("rollback", "acme/checkout", "--env", "sandbox")
        #expect(waitFor { hookLines(s).count == 3 }, "deployed the rollback: \(running.log)")
        #expect(s.read("srv/app/app/app.txt") == "v1")
        #expect(hookLines(s).map { String($0.split(separator: " ")[1]) } == [rc1, rc2, rc1])
        #expect(running.isRunning, "the agent keeps running")
        #expect(waitFor { (try? sandbox(h)["report"] as? [String: Any])?["status"] as? String == "succeeded" })
    }

    @Test func aFailingHookIsReportedOnceAndNotRerun() throws {
        let s = try Setup(tokens: ["admin": "admin", "agent": "deployer"])
        let h = s.hangar, a = deployer(s)
        try h.ok("project", "create", "acme/checkout")
        _ = try cutApp(s, "cut", version: "2.4.0", commit: RemoteFlowTests.sha1, content: "v1")
        try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox")
        let once = ["agent", "--project", "acme/checkout", "--env", "sandbox", "--to", s.dir.path + "/srv/app", "--once",
                    "--exec", "echo ran >> '\(s.dir.path)/hook.log'; exit 4"]
        let failed = try a.run(once)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(s.read("srv/app/app/app.txt") == "v1", "the files are in place; only the hook failed")
        let report = try sandbox(h)["report"] as? [String: Any]
        #expect(report?["status"] as? String == "failed")
        #expect(report?["message"] as? String == "hook exited with status 4")
        try a.ok(once)
        #expect(hookLines(s) == ["ran"], "the hook is not run again for the same deployment")
    }

    @Test func aRunningAgentRetriesAFailedFetchUntilItSucceeds() throws {
        let s = try Setup(tokens: ["admin": "admin", "agent": "deployer"])
        let h = s.hangar
        try h.ok("project", "create", "acme/checkout")
        _ = try cutApp(s, "cut", version: "2.4.0", commit: RemoteFlowTests.sha1, content: String(repeating: "v1 ", count: 5000))
        let shown = try #require(try h.json("show", "acme/checkout", "2.4.0-rc.1") as? [String: Any])
        let artifacts = (shown["candidate"] as? [String: Any])?["artifacts"] as? [[String: Any]]
        let blob = s.server.blobFile(try #require(artifacts?.first?["digest"] as? String))
        try flipByte(in: blob)
        let running = try BackgroundHangar(deployer(s), Array(agent(s).filter { $0 != "--once" }) + ["--interval", "200ms"],
                                           log: s.dir.path + "/agent.log")
        defer { running.stop() }
        try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox")
        #expect(waitFor { running.log.contains("will retry the deployment") }, "\(running.log)")
        #expect(!FileManager.default.fileExists(atPath: s.dir.path + "/srv/app"))
        try flipByte(in: blob)  // the disk is repaired
        #expect(waitFor { hookLines(s).count == 1 }, "deployed once the blob is good again: \(running.log)")
        #expect(s.read("srv/app/app/app.txt")?.hasPrefix("v1 ") == true)
        #expect(waitFor { (try? sandbox(h)["report"] as? [String: Any])?["status"] as? String == "succeeded" })
    }

    /// Polls `condition` for up to 30 s.
    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<300 {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// Damages a stored blob in place, as a failing disk would.
    func flipByte(in path: String) throws {
        chmod(path, 0o644)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 40)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: [byte ^ 0xFF])
    }
}
