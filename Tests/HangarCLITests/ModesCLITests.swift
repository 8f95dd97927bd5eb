import Foundation
import HangarConformance
import Testing

/// One rule for modes: with `HANGAR_SERVER` set, every subcommand either works against
/// the server or refuses, naming itself, with a usage error; none makes or reads a local
/// store. The list of subcommands comes from the binary itself, so a new command without
/// a line here fails the test.
@Suite struct ModesCLITests {
    enum Expect {
        /// Works against the server (exit 0).
        case server
        /// Works on a store folder only: refused with exit 2 naming the command.
        case localOnly
        /// Needs no store at all (exit 0).
        case noStore
        /// Not run, for the reason given.
        case exempt(String)
    }

    static let sha = String(repeating: "ab", count: 20)
    static let pick = String(repeating: "cd", count: 20)

    /// Every leaf command, in an order where each finds what the earlier ones made.
    static let plan: [(command: String, args: [String], expect: Expect)] = [
        ("project create", ["project", "create", "demo/remote"], .server),
        ("project set", ["project", "set", "demo/remote", "--single-step"], .server),
        ("project policy", ["project", "policy", "demo/remote", "--env", "staging", "--approvals", "0"], .server),
        ("project retention", ["project", "retention", "demo/remote", "--rollback-depth", "7"], .server),
        ("project show", ["project", "show", "demo/remote"], .server),
        ("project ls", ["project", "ls"], .server),
        ("cut", ["cut", "demo/remote", "--version", "1.0.0", "--commit", sha, "--artifact", "app=build"], .server),
        ("cherry-pick", ["cherry-pick", "demo/remote", "--version", "1.0.0", "--commit", pick, "--artifact", "app=build"], .server),
        ("promote", ["promote", "demo/remote", "1.0.0-rc.1", "--to", "sandbox"], .server),
        ("approve", ["approve", "demo/remote", "1.0.0-rc.2", "--env", "sandbox"], .server),
        ("promote", ["promote", "demo/remote", "1.0.0-rc.2", "--to", "sandbox"], .server),
        ("status", ["status", "demo/remote"], .server),
        ("candidates", ["candidates", "demo/remote"], .server),
        ("history", ["history", "demo/remote"], .server),
        ("show", ["show", "demo/remote", "1.0.0-rc.1"], .server),
        ("diff", ["diff", "demo/remote", "1.0.0-rc.1", "1.0.0-rc.2"], .server),
        ("fetch", ["fetch", "demo/remote", "sandbox", "--to", "deployed"], .server),
        ("agent", ["agent", "--project", "demo/remote", "--env", "sandbox", "--to", "agent-dir", "--once"], .server),
        ("wait", ["wait", "demo/remote", "sandbox", "--timeout", "5s"], .server),
        ("rollback", ["rollback", "demo/remote", "--env", "sandbox", "--to", "1.0.0-rc.1"], .server),
        ("audit log", ["audit", "log"], .server),
        ("audit verify", ["audit", "verify"], .server),
        ("audit checkpoint", ["audit", "checkpoint", "--output", "cp.json"], .server),
        ("audit prove", ["audit", "prove", "--entry", "1", "--checkpoint", "cp.json"], .server),
        ("audit consistency", ["audit", "consistency", "--checkpoint", "cp.json"], .server),
        ("audit at", ["audit", "at", "demo/remote", "sandbox", "--time", "NOW"], .server),
        ("key public", ["key", "public"], .server),
        ("verify-candidate", ["verify-candidate", "demo/remote", "1.0.0-rc.1", "--key", "server.pem"], .server),
        ("evidence write", ["evidence", "write", "demo/remote", "1.0.0-rc.1", "--output", "bundle.tar"], .server),
        ("evidence verify", ["evidence", "verify", "bundle.tar", "--key", "server.pem"], .noStore),
        ("key generate", ["key", "generate", "--out", "mine.pem"], .noStore),
        ("digest", ["digest", "build/app.txt"], .noStore),
        ("archive", ["archive", "build", "--output", "build.tar"], .noStore),
        ("extract", ["extract", "sha256:" + String(repeating: "0", count: 64), "--to", "x"], .localOnly),
        ("blob put", ["blob", "put", "build/app.txt"], .localOnly),
        ("blob get", ["blob", "get", "sha256:" + String(repeating: "0", count: 64), "--output", "y"], .localOnly),
        ("blob ls", ["blob", "ls"], .localOnly),
        ("verify", ["verify"], .localOnly),
        ("gc", ["gc", "--dry-run"], .server),
        ("token create", ["token", "create", "--name", "ci-remote", "--role", "ci"], .server),
        ("token ls", ["token", "ls"], .server),
        ("token revoke", ["token", "revoke", "TOKEN-ID"], .server),
        ("login", ["login", "SERVER", "--profile", "ci", "--token", "SECRET"], .noStore),
        ("profile set", ["profile", "set", "ci", "--project", "demo/remote"], .noStore),
        ("profile use", ["profile", "use", "ci"], .noStore),
        ("profile ls", ["profile", "ls"], .noStore),
        ("logout", ["logout", "--profile", "ci"], .noStore),
        ("profile rm", ["profile", "rm", "ci"], .noStore),
        ("serve", [], .exempt("serves a store folder by definition; it is what HANGAR_SERVER points at")),
    ]

    @Test func everySubcommandWorksAgainstTheServerOrRefusesByName() async throws {
        let home = TempDir("modes-server")
        let admin = CLI(workdir: home.path)
        let secret = try admin.run("token", "create", "--name", "ops", "--role", "admin").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try await ServerProcess.start(admin)
        defer { server.stop() }

        let away = TempDir("modes-client")
        try FileManager.default.createDirectory(atPath: away.path + "/build", withIntermediateDirectories: true)
        try Data("app v1".utf8).write(to: URL(fileURLWithPath: away.path + "/build/app.txt"))
        var client = CLI(workdir: away.path)
        client.environment = ["HANGAR_SERVER": "http://127.0.0.1:\(server.port)", "HANGAR_TOKEN": secret,
                              "HANGAR_STORE": "", "HANGAR_ACTOR": "someone-else"]
        try admin.run("key", "public").stdout.write(toFile: away.path + "/server.pem", atomically: true, encoding: .utf8)

        #expect(Set(try Self.leafCommands(client)) == Set(Self.plan.map(\.command)), "every subcommand has a line in the plan")
        var revokeID = ""
        for step in Self.plan {
            let now = ISO8601DateFormatter().string(from: Date())
            let substitutes = ["TOKEN-ID": revokeID, "NOW": now, "SERVER": "http://127.0.0.1:\(server.port)", "SECRET": secret]
            let args = step.args.map { substitutes[$0] ?? $0 }
            switch step.expect {
            case .exempt: continue
            case .server, .noStore:
                let r = try client.run(args + (step.command == "token create" ? ["--json"] : []))
                #expect(r.status == 0, "\(step.command): exit \(r.status): \(r.stderr)")
                if step.command == "token create" {
                    revokeID = r.stdout.firstMatch(of: /"id" : "([a-z0-9]+)"/).map { String($0.1) } ?? ""
                }
            case .localOnly:
                let r = try client.run(args)
                #expect(r.status == 2 && r.stderr.contains("'hangar \(step.command.split(separator: " ").first!)")
                        && r.stderr.contains("HANGAR_SERVER"), "\(step.command): exit \(r.status): \(r.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: away.path + "/.hangar"), "\(step.command) made a local store")
        }
        // What the remote commands did is on the server: the token is revoked there, the
        // audit log names the admin token, and the client folder holds no key of its own.
        #expect(try admin.run("token", "ls").stdout.contains("ci-remote"))
        let log = try admin.run("audit", "log", "--json").stdout
        #expect(log.contains("\"actor\" : \"ops\"") && !log.contains("someone-else"))
        #expect(!filesUnder(away.path).contains { $0.hasSuffix("signing-key.pem") })
    }

    /// The leaf commands the binary has, from its own help dump.
    static func leafCommands(_ cli: CLI) throws -> [String] {
        let dump = try cli.run("--experimental-dump-help").stdout
        let root = try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any]
        var leaves: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let subs = (command["subcommands"] as? [[String: Any]] ?? []).filter { $0["commandName"] as? String != "help" }
            if subs.isEmpty { leaves.append(path.joined(separator: " ")); return }
            for sub in subs { walk(sub, path + [sub["commandName"] as? String ?? "?"]) }
        }
        walk(root?["command"] as? [String: Any] ?? [:], [])
        return leaves
    }
}
