import Foundation
import HangarConformance
import Testing
import HangarCore

/// The two-step delivery flow from the README, driven through the real `hangar` binary.
@Suite struct FlowTests {
    /// A throw-away git repository with build outputs, giving real commit SHAs.
    struct Workspace {
        let dir = TempDir("flow")
        var cli: CLI { var c = CLI(workdir: dir.path); c.environment["HANGAR_ACTOR"] = "alice"; return c }

        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: dir.path + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        func git(_ args: String...) throws -> String {
            try runGit(dir.path, args).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Commits the working tree and returns the commit SHA.
        func commit(_ message: String) throws -> String {
            _ = try git("add", "-A")
            _ = try git("commit", "-q", "-m", message)
            return try git("rev-parse", "HEAD")
        }
    }

    func expectOK(_ r: CLI.Result, _ what: String) {
        #expect(r.status == 0, "\(what): exit \(r.status), stderr: \(r.stderr)")
    }

    @Test func theWholeFlowRunsAsWritten() throws {
        let w = Workspace()
        let cli = w.cli
        _ = try w.git("init", "-q")
        try w.write("build/api/bin/api", "api v1")
        try w.write("build/web/index.html", "<h1>web v1</h1>")
        let sha1 = try w.commit("release 2.4.0")

        expectOK(try cli.run("project", "create", "acme/checkout"), "project create")
        let cut = try cli.run("cut", "acme/checkout", "--version", "2.4.0", "--commit", sha1,
                              "--artifact", "api=build/api", "--artifact", "web=build/web")
        expectOK(cut, "cut")
        #expect(cut.stdout.contains("acme/checkout 2.4.0-rc.1  sha256:"))
        for env in ["sandbox", "staging", "production"] {
            expectOK(try cli.run("promote", "acme/checkout", "2.4.0-rc.1", "--to", env), "promote rc.1 to \(env)")
        }

        try w.write("build/api/bin/api", "api v1 + fix")
        let fix = try w.commit("fix")
        let pick = try cli.run("cherry-pick", "acme/checkout", "--version", "2.4.0", "--commit", fix,
                               "--artifact", "api=build/api", "--artifact", "web=build/web", "--json")
        expectOK(pick, "cherry-pick")
        let report = try JSONSerialization.jsonObject(with: Data(pick.stdout.utf8)) as! [String: Any]
        let candidate = (report["result"] as! [String: Any])["candidate"] as! [String: Any]
        #expect(candidate["tag"] as? String == "2.4.0-rc.2")
        let uploads = report["artifacts"] as! [[String: Any]]
        #expect(uploads.map { $0["created"] as! Bool } == [true, false], "web is unchanged and stored once")

        let refused = try cli.run("promote", "acme/checkout", "2.4.0-rc.2", "--to", "production")
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("never deployed to staging"))

        expectOK(try cli.run("promote", "acme/checkout", "2.4.0-rc.2", "--to", "sandbox"), "rc.2 to sandbox")
        expectOK(try cli.run("promote", "acme/checkout", "sandbox", "--to", "staging"), "promote by environment name")
        expectOK(try cli.run("promote", "acme/checkout", "staging", "--to", "production"), "staging to production")
        #expect(try cli.run("promote", "acme/checkout", "staging", "--to", "production").stdout.contains("nothing to do"))

        let status = try cli.run("status", "acme/checkout", "--json")
        let envs = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [[String: Any]]
        #expect(envs.map { $0["tag"] as? String } == ["2.4.0-rc.2", "2.4.0-rc.2", "2.4.0-rc.2"])
        #expect(envs[2]["by"] as? String == "alice")

        let before = Timestamp.format(Date())
        Thread.sleep(forTimeInterval: 0.01)
        let rollback = try cli.run("rollback", "acme/checkout", "--env", "production")
        expectOK(rollback, "rollback")
        #expect(rollback.stdout.contains("2.4.0-rc.1"))
        #expect(try cli.run("status", "acme/checkout").stdout.contains("production   2.4.0-rc.1"))

        let history = try cli.run("history", "acme/checkout", "--env", "production")
        let lines = history.stdout.split(separator: "\n").dropFirst()
        #expect(lines.count == 3)
        #expect(lines.first?.contains("rollback") == true)
        let then = try cli.run("history", "acme/checkout", "--env", "production", "--at", before)
        #expect(then.stdout.split(separator: "\n").count == 2 && then.stdout.contains("2.4.0-rc.2"))

        let show = try cli.run("show", "acme/checkout", "2.4.0-rc.2")
        #expect(show.stdout.contains("parent      2.4.0-rc.1") && show.stdout.contains(fix))
        let diff = try cli.run("diff", "acme/checkout", "2.4.0-rc.1", "2.4.0-rc.2")
        #expect(diff.stdout.contains("api       changed") && diff.stdout.contains("web       unchanged"))
        #expect(diff.stdout.contains("cherry-picks: \(fix)"))

        let target = w.dir.path + "/srv/app"
        expectOK(try cli.run("fetch", "acme/checkout", "production", "--to", target), "fetch")
        #expect(try String(contentsOfFile: target + "/api/bin/api", encoding: .utf8) == "api v1")
        #expect(try String(contentsOfFile: target + "/web/index.html", encoding: .utf8) == "<h1>web v1</h1>")

        let log = try cli.run("audit", "log", "acme/checkout")
        for action in ["project.created", "candidate.created", "tag.set", "promotion", "rollback"] {
            #expect(log.stdout.contains(action), "audit log has \(action)")
        }
        expectOK(try cli.run("audit", "verify"), "audit verify")
    }

    @Test func aForcedPromotionIsRecordedWithItsReason() throws {
        let w = Workspace()
        let cli = w.cli
        _ = try w.git("init", "-q")
        try w.write("build/api/x", "x")
        let sha = try w.commit("one")
        expectOK(try cli.run("project", "create", "acme/pay"), "create")
        expectOK(try cli.run("cut", "acme/pay", "--version", "1.0.0", "--commit", sha, "--artifact", "api=build/api"), "cut")
        let noReason = try cli.run("promote", "acme/pay", "1.0.0-rc.1", "--to", "production", "--force")
        #expect(noReason.status == 2 && noReason.stderr.contains("--reason"))
        expectOK(try cli.run("promote", "acme/pay", "1.0.0-rc.1", "--to", "production", "--force", "--reason", "hotfix for INC-42"), "forced")
        let log = try cli.run("audit", "log", "acme/pay")
        #expect(log.stdout.contains("policy.override") && log.stdout.contains("INC-42"))
        #expect(try cli.run("history", "acme/pay", "--env", "production").stdout.contains("promote (forced)"))
    }

    @Test func badInputGetsTheRightExitCodeAndNamesWhatWasWrong() throws {
        let w = Workspace()
        let cli = w.cli
        try w.write("build/api/x", "x")
        let sha = String(repeating: "a", count: 40)
        #expect(try cli.run("project", "create", "Acme").status == 2)
        expectOK(try cli.run("project", "create", "acme/shop"), "create")
        #expect(try cli.run("project", "create", "acme/shop").status == 6)
        let badVersion = try cli.run("cut", "acme/shop", "--version", "2.4", "--commit", sha, "--artifact", "api=build/api")
        #expect(badVersion.status == 2 && badVersion.stderr.contains("'2.4'"))
        let badCommit = try cli.run("cut", "acme/shop", "--version", "2.4.0", "--commit", "abc", "--artifact", "api=build/api")
        #expect(badCommit.status == 2 && badCommit.stderr.contains("commit 'abc'"))
        let missing = try cli.run("cut", "acme/shop", "--version", "2.4.0", "--commit", sha, "--artifact", "api=build/nope")
        #expect(missing.status == 4 && missing.stderr.contains("build/nope"))
        expectOK(try cli.run("cut", "acme/shop", "--version", "2.4.0", "--commit", sha, "--artifact", "api=build/api"), "cut")
        let again = try cli.run("cut", "acme/shop", "--version", "2.4.0", "--commit", sha, "--artifact", "api=build/api")
        #expect(again.status == 6 && again.stderr.contains("cherry-pick"))
        let noEnv = try cli.run("promote", "acme/shop", "2.4.0-rc.1", "--to", "prod")
        #expect(noEnv.status == 4 && noEnv.stderr.contains("'prod'") && noEnv.stderr.contains("acme/shop"))
        let noTag = try cli.run("promote", "acme/shop", "2.4.0-rc.9", "--to", "sandbox")
        #expect(noTag.status == 4 && noTag.stderr.contains("2.4.0-rc.9"))
        #expect(try cli.run("rollback", "acme/shop", "--env", "sandbox").status == 4)
        #expect(try cli.run("status", "acme/nothing").status == 4)
    }
}
