import Foundation
import HangarConformance
import HangarCore
import Testing

/// Small promises of the CLI that a release engineer relies on.
@Suite struct SmallCLITests {
    @Test func versionIsPrinted() throws {
        let dir = TempDir("version")
        let r = try CLI(workdir: dir.path).run("--version")
        #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == HangarVersion.current)
    }

    @Test func aKeyFileIsNeverOverwrittenNorIsADifferentKeyReported() throws {
        let dir = TempDir("keys")
        let cli = CLI(workdir: dir.path)
        let first = try cli.run("key", "generate", "--out", "k")
        #expect(first.status == 0)
        let before = try String(contentsOfFile: dir.path + "/k", encoding: .utf8)
        let again = try cli.run("key", "generate", "--out", "k")
        #expect(again.status == 6 && again.stderr.contains("exists") && again.stdout.isEmpty, "\(again.status) \(again.stderr)")
        #expect(try String(contentsOfFile: dir.path + "/k", encoding: .utf8) == before, "the key on disk is untouched")
        FileManager.default.createFile(atPath: dir.path + "/other.pub", contents: Data("keep".utf8))
        #expect(try cli.run("key", "generate", "--out", "other").status == 6)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/other"), "no half pair is left")
    }

    @Test func blobListingsGiveSizesAsNumbers() throws {
        let dir = TempDir("ls")
        let cli = CLI(workdir: dir.path)
        try Data(repeating: 7, count: 757).write(to: URL(fileURLWithPath: dir.path + "/f"))
        try cli.run("blob", "put", "f")
        let ls = try cli.run("blob", "ls", "--json")
        #expect(ls.stdout.contains("\"size\" : 757") && !ls.stdout.contains("\"757\""), "\(ls.stdout)")
        let digest = try cli.run("digest", "f", "--json")
        #expect(digest.stdout.contains("\"size\" : 757"), "\(digest.stdout)")
    }

    @Test func theDefaultStoreInAGitCheckoutStaysOutOfCommits() throws {
        let dir = TempDir("git-checkout")
        try git(dir.path, "init", "-q")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.path + "/README"))
        let cli = CLI(workdir: dir.path)
        #expect(try cli.run("project", "create", "acme/app").status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/.hangar/signing-key.pem"))
        try git(dir.path, "add", "-A")
        let staged = try git(dir.path, "diff", "--cached", "--name-only")
        #expect(staged.split(separator: "\n") == ["README"], "only the user's file is staged: \(staged)")
        // A .gitignore the user wrote is theirs: Hangar does not replace it.
        let other = TempDir("own-ignore")
        try FileManager.default.createDirectory(atPath: other.path + "/.hangar", withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: other.path + "/.hangar/.gitignore"))
        #expect(try CLI(workdir: other.path).run("project", "ls").status == 0)
        #expect(try String(contentsOfFile: other.path + "/.hangar/.gitignore", encoding: .utf8) == "mine\n")
    }

    @Test func backendsNamedApartFromTheStoreFolderAreTheOnesUsed() throws {
        let dir = TempDir("backends")
        let cli = CLI(workdir: dir.path)
        let at = ["--blobs", "file://\(dir.path)/blobs", "--metadata", "sqlite://\(dir.path)/meta/m.sqlite"]
        #expect(try cli.run(["project", "create", "acme/app"] + at).status == 0)
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: dir.path + "/f"))
        #expect(try cli.run(["blob", "put", "f"] + at).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/meta/m.sqlite"))
        #expect(try cli.run(["blob", "ls"] + at).stdout.contains("10 B"))
        #expect(try cli.run(["project", "ls"] + at).stdout.contains("acme/app"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/.hangar/metadata.sqlite"), "the default store is not touched")
        let other = try cli.run("project", "ls", "--metadata", "mysql://u@127.0.0.1/db")
        #expect(other.status == 2 && other.stderr.contains("--metadata") && other.stderr.contains("not built"), "\(other.status) \(other.stderr)")
    }
}

/// The four-eyes rule, driven through the binary by three people.
@Suite struct IndependentApprovalsCLITests {
    @Test func theCreatorCannotApproveAndAPromotersOwnApprovalDoesNotCount() throws {
        let dir = TempDir("four-eyes")
        func cli(_ actor: String) -> CLI { var c = CLI(workdir: dir.path); c.environment["HANGAR_ACTOR"] = actor; return c }
        try FileManager.default.createDirectory(atPath: dir.path + "/build", withIntermediateDirectories: true)
        try Data("v1".utf8).write(to: URL(fileURLWithPath: dir.path + "/build/app.txt"))
        #expect(try cli("alice").run("project", "create", "demo/app", "--single-step").status == 0)
        let set = try cli("alice").run("project", "policy", "demo/app", "--env", "production", "--approvals", "1",
                                       "--independent-approvals", "--no-require-predecessor")
        #expect(set.status == 0 && set.stdout.contains("1 approval(s) by others than the creator and the promoter"), "\(set.stdout)\(set.stderr)")
        #expect(try cli("alice").run("cut", "demo/app", "--version", "1.0.0", "--commit", String(repeating: "ab", count: 20),
                                     "--artifact", "app=build").status == 0)
        let own = try cli("alice").run("approve", "demo/app", "1.0.0-rc.1", "--env", "production")
        #expect(own.status == 3 && own.stderr.contains("alice cut 1.0.0-rc.1, and production requires approvals from someone else"), "\(own.stderr)")
        #expect(try cli("bob").run("approve", "demo/app", "1.0.0-rc.1", "--env", "production").status == 0)
        let selfPromote = try cli("bob").run("promote", "demo/app", "1.0.0-rc.1", "--to", "production")
        #expect(selfPromote.status == 3 && selfPromote.stderr.contains("approvals by bob, who promotes it do not count"), "\(selfPromote.stderr)")
        #expect(try cli("carol").run("promote", "demo/app", "1.0.0-rc.1", "--to", "production").status == 0)
        #expect(try cli("carol").run("audit", "verify").status == 0, "the policy's new field is on the chain and the projection")
    }
}
