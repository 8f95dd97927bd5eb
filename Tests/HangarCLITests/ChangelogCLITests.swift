import Foundation
import HangarConformance
import Testing

/// The commits since the previous candidate, read from a real git checkout (or a file CI
/// wrote) by `cut` and `cherry-pick`, kept in the candidate and shown by `show` and `diff`.
@Suite struct ChangelogCLITests {
    /// A git checkout with a build folder and a project; `commit` adds an empty commit.
    struct Checkout {
        let dir = TempDir("changelog")
        let cli: CLI

        init() throws {
            cli = CLI(workdir: dir.path)
            try git(dir.path, "init", "-q")
            try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
            try Data("v1".utf8).write(to: URL(fileURLWithPath: dir.path + "/build/app.txt"))
            try Data("build/\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/.gitignore"))
            #expect(try cli.run("project", "create", "acme/app").status == 0)
        }

        @discardableResult
        func commit(_ subject: String) throws -> String {
            try git(dir.path, "commit", "-q", "--allow-empty", "-m", subject)
            return try git(dir.path, "rev-parse", "HEAD").trimmed
        }

        func release(_ command: String, _ version: String, _ commit: String, _ extra: String...) throws -> CLI.Result {
            try cli.run([command, "acme/app", "--version", version, "--commit", commit, "--artifact", "app=build"] + extra)
        }
    }

    @Test func cutAndCherryPickRecordTheCommitsSinceThePreviousCandidate() throws {
        let c = try Checkout()
        try c.commit("feat: first")
        let one = try c.release("cut", "1.0.0", try c.commit("feat: second"))
        #expect(one.status == 0 && one.stdout.contains("changelog: 2 commits"), "\(one.stdout) \(one.stderr)")
        let fix = try c.commit("fix: the crash on empty carts")
        let two = try c.release("cherry-pick", "1.0.0", fix)
        #expect(two.status == 0 && two.stdout.contains("changelog: 1 commit since 1.0.0-rc.1"), "\(two.stdout) \(two.stderr)")
        let show = try c.cli.run("show", "acme/app", "1.0.0-rc.2")
        #expect(show.stdout.contains("changes since 1.0.0-rc.1") && show.stdout.contains("\(fix.prefix(12))  fix: the crash on empty carts"), "\(show.stdout)")
        try c.commit("feat: third")
        #expect(try c.release("cut", "1.1.0", try c.commit("feat: fourth")).status == 0)
        // The diff walks the recorded changelogs back: 1.1.0-rc.1 follows 1.0.0-rc.2, which follows rc.1.
        let diff = try c.cli.run("diff", "acme/app", "1.0.0-rc.1", "1.1.0-rc.1")
        let lines = diff.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { String($0.dropFirst(16)) }
        #expect(lines == ["feat: fourth", "feat: third", "fix: the crash on empty carts"], "\(diff.stdout)")
        let json = try c.cli.run("diff", "acme/app", "1.0.0-rc.1", "1.1.0-rc.1", "--json")
        #expect(json.stdout.contains("\"subject\" : \"feat: fourth\""), "\(json.stdout)")
        // Backwards, the recorded chain does not lead there: said so, not guessed.
        let back = try c.cli.run("diff", "acme/app", "1.1.0-rc.1", "1.0.0-rc.1")
        #expect(back.status == 0 && back.stdout.contains("commits: not recorded"), "\(back.stdout)")
    }

    @Test func aCommitThatIsNotInTheRepositoryIsRefusedBeforeAnythingIsStored() throws {
        let c = try Checkout()
        try c.commit("feat: first")
        let bogus = try c.release("cut", "1.0.0", String(repeating: "de", count: 20))
        #expect(bogus.status == 2 && bogus.stderr.contains("is not in the git repository"), "\(bogus.status) \(bogus.stderr)")
        #expect(try c.cli.run("blob", "ls").stdout.split(separator: "\n").count <= 1, "no artifact was uploaded")
        #expect(try c.cli.run("candidates", "acme/app").stdout.contains("no candidates"))
        // --no-git records nothing and checks nothing; so does a folder outside any checkout.
        let skipped = try c.release("cut", "1.0.0", String(repeating: "de", count: 20), "--no-git")
        #expect(skipped.status == 0 && !skipped.stdout.contains("changelog"), "\(skipped.stderr)")
        let outside = TempDir("not-a-checkout")
        let notGit = try c.release("cherry-pick", "1.0.0", String(repeating: "de", count: 20), "--repo-path", outside.path)
        #expect(notGit.status == 2 && notGit.stderr.contains("is not a git work tree"), "\(notGit.stderr)")
    }

    @Test func ciCanGiveTheChangelogAsAFile() throws {
        let c = try Checkout()
        #expect(try c.release("cut", "1.0.0", try c.commit("feat: first")).status == 0)
        let sha = String(repeating: "ab", count: 20)
        try Data("# from CI\n\(sha) fix: from a shallow clone\n".utf8).write(to: URL(fileURLWithPath: c.dir.path + "/log.txt"))
        let two = try c.release("cherry-pick", "1.0.0", sha, "--changelog", "log.txt")
        #expect(two.status == 0 && two.stdout.contains("changelog: 1 commit since 1.0.0-rc.1"), "\(two.stdout) \(two.stderr)")
        #expect(try c.cli.run("diff", "acme/app", "1.0.0-rc.1", "1.0.0-rc.2").stdout.contains("abababababab  fix: from a shallow clone"))
        try Data("not-a-sha fix\n".utf8).write(to: URL(fileURLWithPath: c.dir.path + "/bad.txt"))
        let bad = try c.release("cherry-pick", "1.0.0", sha, "--changelog", "bad.txt")
        #expect(bad.status == 2 && bad.stderr.contains("bad.txt line 1") && bad.stderr.contains("full commit SHA"), "\(bad.stderr)")
    }

    @Test func aShallowCloneWithoutThePreviousCommitWarnsAndRecordsNone() throws {
        let c = try Checkout()
        let old = try c.commit("feat: old")
        #expect(try c.release("cut", "1.0.0", old).status == 0)
        try c.commit("feat: new")
        let shallow = TempDir("shallow")
        try git(shallow.path, "clone", "-q", "--depth", "1", "file://" + c.dir.path, "repo")
        let head = try git(shallow.path + "/repo", "rev-parse", "HEAD").trimmed
        let cut = try c.cli.run("cut", "acme/app", "--version", "1.1.0", "--commit", head, "--artifact", "app=build",
                                "--repo-path", shallow.path + "/repo")
        #expect(cut.status == 2 && cut.stderr.contains("shallow clone"), "an explicit --repo-path must hold the history: \(cut.stderr)")
        // Run inside the shallow checkout (as CI does), the cut goes on without a changelog and says why.
        var inside = CLI(workdir: shallow.path + "/repo")
        inside.environment["HANGAR_STORE"] = c.dir.path + "/.hangar"
        let ci = try inside.run("cut", "acme/app", "--version", "1.1.0", "--commit", head, "--artifact", "app=" + c.dir.path + "/build")
        #expect(ci.status == 0 && ci.stderr.contains("warning: no changelog recorded") && !ci.stdout.contains("changelog:"), "\(ci.stderr)")
    }

    @Test func theChangelogTravelsThroughAServer() async throws {
        let c = try Checkout()
        let admin = try c.cli.run("token", "create", "--name", "ci", "--role", "admin").stdout.trimmed
        let server = try await ServerProcess.start(c.cli)
        defer { server.stop() }
        var remote = c.cli
        remote.environment = ["HANGAR_SERVER": "http://127.0.0.1:\(server.port)", "HANGAR_TOKEN": admin]
        try c.commit("feat: first")
        #expect(try remote.run("cut", "acme/app", "--version", "2.0.0", "--commit", try c.commit("feat: second"), "--artifact", "app=build").status == 0)
        let fix = try remote.run("cherry-pick", "acme/app", "--version", "2.0.0", "--commit", try c.commit("fix: remote"), "--artifact", "app=build")
        #expect(fix.stdout.contains("changelog: 1 commit since 2.0.0-rc.1"), "\(fix.stdout) \(fix.stderr)")
        #expect(try remote.run("show", "acme/app", "2.0.0-rc.2").stdout.contains("fix: remote"))
    }
}
