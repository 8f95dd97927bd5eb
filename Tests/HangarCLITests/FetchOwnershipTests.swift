import Foundation
import HangarConformance
import Testing

/// `hangar fetch --to DIR` replaces DIR whole, so it owns only folders it made: a
/// non-empty folder without its marker is refused (exit 6, nothing touched) unless
/// `--replace`; an empty or new folder, or one an earlier fetch made, is fine.
@Suite struct FetchOwnershipTests {
    @Test func fetchNeverDeletesAFolderItDidNotMake() throws {
        let dir = TempDir("ownership")
        let cli = CLI(workdir: dir.path)
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: dir.path + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        func read(_ path: String) -> String? { try? String(contentsOfFile: dir.path + "/" + path, encoding: .utf8) }
        func ok(_ args: String...) throws {
            let r = try cli.run(args)
            #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        }
        try ok("project", "create", "acme/app")
        try write("build/app.txt", "v1")
        try ok("cut", "acme/app", "--version", "1.0.0", "--commit", String(repeating: "a", count: 40), "--artifact", "app=build")
        try write("srv/other-service/data.db", "precious")
        let refused = try cli.run("fetch", "acme/app", "1.0.0-rc.1", "--to", "srv")
        #expect(refused.status == 6, "a conflict: \(refused.stderr)")
        #expect(refused.stderr.contains("other-service") && refused.stderr.contains("--replace"), "names what is there and the way out: \(refused.stderr)")
        #expect(read("srv/other-service/data.db") == "precious", "nothing touched")

        try ok("fetch", "acme/app", "1.0.0-rc.1", "--to", "fresh")
        #expect(read("fresh/app/app.txt") == "v1")
        try ok("fetch", "acme/app", "1.0.0-rc.1", "--to", "fresh")  // its own folder: replaced again
        #expect(FileManager.default.fileExists(atPath: dir.path + "/.fresh.hangar-fetch"), "the marker sits beside the folder")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/fresh") == ["app"], "and not in it")

        try FileManager.default.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: true)
        try ok("fetch", "acme/app", "1.0.0-rc.1", "--to", "empty", "--artifact", "app")
        #expect(read("empty/app.txt") == "v1", "an empty folder is fine")

        try ok("fetch", "acme/app", "1.0.0-rc.1", "--to", "srv", "--replace")
        #expect(read("srv/app/app.txt") == "v1" && read("srv/other-service/data.db") == nil, "--replace replaces it whole")
    }
}
