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
