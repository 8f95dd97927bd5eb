import Foundation
import HangarConformance
import Testing

/// `hangar wait`, `hangar candidates` and the agent's report in `status`, against a real
/// `hangar serve` and on the local store.
@Suite struct WaitCLITests {
    struct Setup {
        let dir = TempDir("wait")
        let local: CLI
        let server: ServerProcess
        let remote: CLI
        let deployer: String

        init() async throws {
            local = CLI(workdir: dir.path)
            let admin = try local.run("token", "create", "--name", "ops", "--role", "admin").stdout.trimmed
            deployer = try local.run("token", "create", "--name", "agent-1", "--role", "deployer").stdout.trimmed
            try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
            try Data("v1".utf8).write(to: URL(fileURLWithPath: dir.path + "/build/app.txt"))
            try local.run("project", "create", "demo/app")
            for (n, sha) in [(1, "aa"), (2, "bb")] {
                let cut = n == 1 ? ["cut"] : ["cherry-pick", "--pick", String(repeating: "cc", count: 20)]
                let r = try local.run(cut + ["demo/app", "--version", "1.0.0", "--commit", String(repeating: sha, count: 20), "--artifact", "app=build"])
                #expect(r.status == 0, "\(r.stderr)")
            }
            server = try await ServerProcess.start(local)
            var remote = CLI(workdir: dir.path)
            remote.environment = ["HANGAR_SERVER": "http://127.0.0.1:\(server.port)", "HANGAR_TOKEN": admin]
            self.remote = remote
        }

        /// `hangar agent --once` for sandbox, with a hook.
        func agent(_ hook: String) throws -> CLI.Result {
            var agent = remote
            agent.environment["HANGAR_TOKEN"] = deployer
            return try agent.run("agent", "--project", "demo/app", "--env", "sandbox", "--to", dir.path + "/deployed", "--once", "--exec", hook)
        }

        /// Starts `hangar wait …` in the background.
        func startWait(_ args: [String]) throws -> (Process, Pipe, Pipe) {
            let p = remote.process(["wait", "demo/app", "sandbox"] + args)
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            return (p, out, err)
        }
    }

    static func finish(_ started: (Process, Pipe, Pipe)) async -> CLI.Result {
        let (p, out, err) = started
        return await TestSockets.offPool {
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        }
    }

    @Test func waitEndsWithTheAgentsReportAndSaysHowByItsExitCode() async throws {
        let s = try await Setup()
        defer { s.server.stop() }
        #expect(try s.remote.run("promote", "demo/app", "1.0.0-rc.1", "--to", "sandbox").status == 0)

        // Waiting before any report: the agent's success ends the wait with 0.
        let waiting = try s.startWait(["--timeout", "60s"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try s.agent("true").status == 0)
        let ok = await Self.finish(waiting)
        #expect(ok.status == 0 && ok.stdout.contains("runs 1.0.0-rc.1: deployed (agent-1 reported success)"), "\(ok.stdout)\(ok.stderr)")
        let status = try s.remote.run("status", "demo/app").stdout
        #expect(status.contains("AGENT REPORT") && status.contains("succeeded (agent-1,"), "\(status)")
        // The same answer from the local store, at once; two agents are not there yet.
        #expect(try s.local.run("wait", "demo/app", "sandbox").status == 0)
        #expect(try s.local.run("wait", "demo/app", "sandbox", "--agents", "2", "--timeout", "2s").status == 11)

        // A candidate not promoted yet: timeout (11), naming what it waited for.
        let late = try s.remote.run("wait", "demo/app", "sandbox", "--for", "1.0.0-rc.2", "--timeout", "2s")
        #expect(late.status == 11 && late.stderr.contains("1.0.0-rc.2 to arrive"), "\(late.stderr)")

        // Waiting for rc.2, promoted while waiting; the agent's hook fails: exit 10 with its message.
        let forTwo = try s.startWait(["--for", "1.0.0-rc.2", "--timeout", "60s"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try s.remote.run("promote", "demo/app", "1.0.0-rc.2", "--to", "sandbox").status == 0)
        #expect(try s.agent("exit 3").status != 0)
        let failed = await Self.finish(forTwo)
        #expect(failed.status == 10 && failed.stderr.contains("agent agent-1 reported failure") && failed.stderr.contains("1.0.0-rc.2"),
                "\(failed.status) \(failed.stderr)")

        // The environment moves on while a wait is open: conflict (6).
        #expect(try s.remote.run("rollback", "demo/app", "--env", "sandbox").status == 0)
        let open = try s.startWait(["--timeout", "60s"])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try s.remote.run("promote", "demo/app", "1.0.0-rc.2", "--to", "sandbox").status == 0)
        let moved = await Self.finish(open)
        #expect(moved.status == 6 && moved.stderr.contains("moved on to 1.0.0-rc.2 before 1.0.0-rc.1"), "\(moved.status) \(moved.stderr)")

        #expect(try s.remote.run("wait", "demo/app", "nowhere", "--timeout", "2s").status == 4)
        #expect(try s.remote.run("wait", "demo/app", "sandbox", "--timeout", "soon").status == 2)
    }

    @Test func candidatesListsNewestFirstWithWhereTheyRun() async throws {
        let s = try await Setup()
        defer { s.server.stop() }
        #expect(try s.remote.run("promote", "demo/app", "1.0.0-rc.1", "--to", "sandbox").status == 0)
        for cli in [s.local, s.remote] {
            let table = try cli.run("candidates", "demo/app").stdout.split(separator: "\n").map(String.init)
            #expect(table.count == 3 && table[0].hasPrefix("CANDIDATE") && table[1].hasPrefix("1.0.0-rc.2")
                    && table[2].hasPrefix("1.0.0-rc.1") && table[2].hasSuffix("sandbox") && table[1].contains("1.0.0-rc.1"), "\(table)")
            let json = try cli.run("candidates", "demo/app", "--version", "1.0.0", "--limit", "1", "--json").stdout
            #expect(json.contains("\"tag\" : \"1.0.0-rc.2\"") && json.components(separatedBy: "\"tag\"").count == 2 && json.contains(/"size" : [0-9]+,/), "\(json)")
            #expect(try cli.run("candidates", "demo/app", "--version", "9.9.9").stdout.contains("no candidate of 9.9.9"))
            #expect(try cli.run("candidates", "demo/none").status == 4)
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
