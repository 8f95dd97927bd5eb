import Foundation
import HangarConformance
import Testing

/// `hangar login`, profiles and the default project, against a real `hangar serve`.
@Suite struct ProfilesCLITests {
    @Test func loginChecksTheTokenAndAProfileTakesTheUserToTheServerAndProject() async throws {
        let home = TempDir("profiles-server")
        let admin = CLI(workdir: home.path)
        #expect(try admin.run("project", "create", "acme/app").status == 0)
        let secret = try admin.run("token", "create", "--name", "release", "--role", "admin").stdout.trimmed
        let server = try await ServerProcess.start(admin)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)"

        let away = TempDir("profiles-client")
        var user = CLI(workdir: away.path)
        user.environment = ["HANGAR_STORE": ""]
        let file = away.path + "/.profiles.yaml"

        let wrong = try user.run(["login", url, "--profile", "prod"], stdin: Data("hgr_nope_nope\n".utf8))
        #expect(wrong.status == 8 && !FileManager.default.fileExists(atPath: file), "a refused token is not saved: \(wrong.stderr)")
        let missing = try user.run(["login", url, "--project", "acme/none"], stdin: Data((secret + "\n").utf8))
        #expect(missing.status == 4 && missing.stderr.contains("acme/none") && !FileManager.default.fileExists(atPath: file))
        let login = try user.run(["login", url, "--profile", "prod", "--project", "acme/app"], stdin: Data((secret + "\n").utf8))
        #expect(login.status == 0 && login.stdout.contains("as release (admin)"), "\(login.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the file holds a token: owner only")

        // The profile is current: commands go to its server, with its token, for its project.
        let status = try user.run("status")
        #expect(status.status == 0 && status.stdout.contains("production"), "\(status.stderr)")
        #expect(try user.run("candidates").stdout.contains("no candidates"))
        #expect(!FileManager.default.fileExists(atPath: away.path + "/.hangar"), "no local store was made")
        let listed = try user.run("profile", "ls")
        #expect(listed.stdout.contains("*  prod") && listed.stdout.contains("saved") && !listed.stdout.contains(secret))
        // An explicit HANGAR_SERVER wins, and the profile's token does not travel to it.
        var other = user
        other.environment["HANGAR_SERVER"] = "http://localhost:\(server.port)"
        #expect(try other.run("status", "acme/app").status == 8, "the saved token went to a server the profile does not name")
        // A local profile beside it, chosen per command with --profile.
        #expect(try user.run("profile", "set", "mine", "--store", away.path + "/local-store").status == 0)
        #expect(try user.run("project", "create", "acme/local", "--profile", "mine").status == 0)
        #expect(try user.run("project", "ls").stdout.contains("acme/app"), "prod is still current")
        #expect(try user.run("profile", "use", "mine").status == 0)
        #expect(try user.run("project", "ls").stdout.contains("acme/local"))
        #expect(try user.run("profile", "use", "prod").status == 0)

        #expect(try user.run("logout").stdout.contains("forgot the token of profile 'prod'"))
        #expect(try user.run("status").status == 8, "after logout no token is sent")
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(secret))
        #expect(try user.run("profile", "rm", "prod").status == 0)
        let gone = try user.run("status", "acme/app", "--profile", "prod")
        #expect(gone.status == 4 && gone.stderr.contains("no profile 'prod'") && gone.stderr.contains("mine"), "\(gone.stderr)")
    }

    @Test func aDamagedProfilesFileIsNamedAndNothingIsGuessed() throws {
        let dir = TempDir("profiles-bad")
        var cli = CLI(workdir: dir.path)
        cli.environment = ["HANGAR_STORE": ""]
        try Data("current: [unclosed\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/.profiles.yaml"))
        let r = try cli.run("project", "ls")
        #expect(r.status == 2 && r.stderr.contains(".profiles.yaml") && !r.stderr.contains("Scalar"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/.hangar"))
        #expect(try cli.run("profile", "set", "bad name!", "--store", "x").status == 2)
    }
}
