import Foundation
import HangarConformance
import HangarCore
import Testing
@testable import HangarRemote

/// The README's release flow, driven through the real `hangar` binary against a real
/// `hangar serve` over HTTP: the same commands, the same exit codes, nothing kept locally.
@Suite(.serialized) struct RemoteFlowTests {
    static let sha1 = String(repeating: "a1", count: 20)
    static let sha2 = String(repeating: "b2", count: 20)

    /// A workspace with build outputs and a server holding an admin token.
    struct Setup {
        let dir = Scratch()
        let server: ServerProcess
        var hangar: Hangar

        init(tokens: [String: String] = ["admin": "admin"], metadata: String? = nil, blobs: String? = nil,
             environment: [String: String] = [:]) throws {
            server = try ServerProcess(root: dir.path, tokens: tokens, metadata: metadata, blobs: blobs, environment: environment)
            hangar = Hangar(workdir: dir.path)
            hangar.environment = ["HANGAR_SERVER": server.url, "HANGAR_TOKEN": server.secrets["admin"] ?? ""]
        }

        func write(_ path: String, _ data: Data) throws {
            let url = URL(fileURLWithPath: dir.path + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }

        func write(_ path: String, _ text: String) throws { try write(path, Data(text.utf8)) }

        func read(_ path: String) -> String? { try? String(contentsOfFile: dir.path + "/" + path, encoding: .utf8) }
    }

    /// On the embedded store, and with the metadata on a real PostgreSQL server.
    /// The embedded store; PostgreSQL metadata; and both real services past one machine:
    /// blobs in a Ceph RADOS Gateway bucket, metadata in PostgreSQL.
    @Test(arguments: ["sqlite", "postgres", "s3+postgres"])
    func theReadmeFlowRunsOverHTTP(_ backends: String) async throws {
        var blobs: String?, environment: [String: String] = [:]
        if backends.hasPrefix("s3") {
            let gateway = try CephGateway.shared()
            blobs = "s3://\(gateway.bucket)/flow-\(UUID().uuidString.prefix(8))?endpoint=\(gateway.endpoint)&region=\(gateway.region)"
            environment = ["AWS_ACCESS_KEY_ID": gateway.accessKeyID, "AWS_SECRET_ACCESS_KEY": gateway.secretAccessKey]
        }
        let s = try Setup(metadata: backends.hasSuffix("postgres") ? try PostgresCluster.shared().makeDatabase() : nil,
                          blobs: blobs, environment: environment)
        let h = s.hangar
        try s.write("build/api/bin/api", "api v1")
        try s.write("build/web/index.html", Data((0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        try h.ok("project", "create", "acme/checkout")
        let first = try cut(h, "cut", Self.sha1)
        #expect(first.created == ["api": true, "web": true])
        #expect(first.tag == "2.4.0-rc.1")
        #expect(try await s.server.blobUploads() == 2)

        // Only api changes: the second candidate uploads api and finds web on the server.
        try s.write("build/api/bin/api", "api v2 with the fix")
        let second = try cut(h, "cherry-pick", Self.sha2)
        #expect(second.created == ["api": true, "web": false])
        #expect(second.tag == "2.4.0-rc.2")
        #expect(try await s.server.blobUploads() == 3, "the server received one more upload: api's")

        for env in ["sandbox", "staging", "production"] { try h.ok("promote", "acme/checkout", "2.4.0-rc.1", "--to", env) }
        let refused = try h.run("promote", "acme/checkout", "2.4.0-rc.2", "--to", "production")
        #expect(refused.status == 3, "a policy refusal exits 3 over HTTP too: \(refused.stderr)")
        #expect(refused.stderr.contains("refused") && refused.stderr.contains("staging"), "\(refused.stderr)")

        try h.ok("promote", "acme/checkout", "2.4.0-rc.2", "--to", "sandbox")
        try h.ok("promote", "acme/checkout", "sandbox", "--to", "staging")
        try h.ok("promote", "acme/checkout", "staging", "--to", "production")
        #expect(try tags(h) == ["sandbox": "2.4.0-rc.2", "staging": "2.4.0-rc.2", "production": "2.4.0-rc.2"])
        #expect(try h.ok("status", "acme/checkout").contains("production   2.4.0-rc.2"))

        try h.ok("rollback", "acme/checkout", "--env", "production")
        #expect(try tags(h)["production"] == "2.4.0-rc.1")
        let history = try #require(try h.json("history", "acme/checkout", "--env", "production") as? [[String: Any]])
        #expect(history.compactMap { $0["toTag"] as? String } == ["2.4.0-rc.1", "2.4.0-rc.2", "2.4.0-rc.1"])
        #expect((history.first?["deployment"] as? [String: Any])?["kind"] as? String == "rollback")

        try h.ok("fetch", "acme/checkout", "production", "--to", "deploy")
        #expect(s.read("deploy/api/bin/api") == "api v1")
        #expect(FileManager.default.contents(atPath: s.dir.path + "/deploy/web/index.html")?.count == 400_000)
        try h.ok("fetch", "acme/checkout", "2.4.0-rc.2", "--artifact", "api", "--to", "api-only")
        #expect(s.read("api-only/bin/api") == "api v2 with the fix")

        let diff = try #require(try h.json("diff", "acme/checkout", "2.4.0-rc.1", "2.4.0-rc.2") as? [String: Any])
        let changes = (diff["artifacts"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")=\($0["change"] ?? "")" }
        #expect(changes == ["api=changed", "web=unchanged"])
        #expect(try h.ok("show", "acme/checkout", "2.4.0-rc.2").contains("2.4.0-rc.2"))
        #expect(try h.ok("audit", "verify").contains("intact"))
        #expect(try auditActions(h).contains("rollback"))
        try collectOverHTTP(h, s)
        #expect(!FileManager.default.fileExists(atPath: h.localStore), "remote mode keeps nothing locally")
    }

    /// Garbage collection through the server on these backends: an unreleased version's
    /// superseded candidate goes, exactly as the dry run said; what runs stays and fetches.
    func collectOverHTTP(_ h: Hangar, _ s: Setup) throws {
        for (rc, text) in [(1, "api v3 first try"), (2, "api v3 second try")] {
            try s.write("build/api/bin/api", text)
            try h.ok(rc == 1 ? "cut" : "cherry-pick", "acme/checkout", "--version", "3.0.0", "--commit", rc == 1 ? Self.sha1 : Self.sha2,
                     "--artifact", "api=build/api", "--artifact", "web=build/web")
        }
        #expect(try h.ok("project", "retention", "acme/checkout", "--rollback-depth", "1", "--releases", "1", "--superseded-rcs", "0s")
            .contains("rollback-depth: 1"))
        Thread.sleep(forTimeInterval: 1.2)  // everything is older than the grace period of a second
        let dry = try #require(try h.json("gc", "--dry-run", "--grace", "1s") as? [String: Any])
        let real = try #require(try h.json("gc", "--grace", "1s") as? [String: Any])
        func names(_ r: [String: Any], _ key: String, _ field: String) -> [String] {
            (r[key] as? [[String: Any]] ?? []).compactMap { $0[field] as? String }.sorted()
        }
        #expect(names(dry, "candidates", "tag") == ["3.0.0-rc.1"] && names(real, "candidates", "tag") == ["3.0.0-rc.1"])
        #expect(names(dry, "blobs", "digest") == names(real, "blobs", "digest") && !names(real, "blobs", "digest").isEmpty,
                "the real run freed what the dry run listed")
        let gone = try h.run("fetch", "acme/checkout", "3.0.0-rc.1", "--to", "gone")
        #expect(gone.status == 4 && gone.stderr.contains("collected"), "\(gone.stderr)")
        try h.ok("fetch", "acme/checkout", "3.0.0-rc.2", "--to", "kept")
        #expect(s.read("kept/api/bin/api") == "api v3 second try")
        try h.ok("fetch", "acme/checkout", "production", "--to", "after-gc")
        #expect(try h.ok("audit", "verify").contains("intact"))
    }

    @Test func policiesApprovalsSettingsAndTimeTravelWorkOverHTTP() throws {
        let s = try Setup()
        let h = s.hangar
        try s.write("build/app/app.txt", "app")
        try h.ok("project", "create", "acme/gated")
        try h.ok("project", "policy", "acme/gated", "--env", "staging", "--approvals", "1")
        let args = ["cut", "acme/gated", "--version", "1.0.0", "--commit", Self.sha1, "--artifact", "app=build/app"]
        try h.ok(args)
        try h.ok("promote", "acme/gated", "1.0.0-rc.1", "--to", "sandbox")
        let unapproved = try h.run("promote", "acme/gated", "1.0.0-rc.1", "--to", "staging")
        #expect(unapproved.status == 3 && unapproved.stderr.contains("approval"), "\(unapproved.stderr)")
        try h.ok("approve", "acme/gated", "1.0.0-rc.1", "--env", "staging", "--comment", "looks good")
        try h.ok("promote", "acme/gated", "1.0.0-rc.1", "--to", "staging")
        let afterStaging = Timestamp.format(Date())

        let stale = try h.run("promote", "acme/gated", "sandbox", "--to", "production", "--expect-generation", "5")
        #expect(stale.status == 6, "a stale --expect-generation is a conflict: \(stale.stderr)")
        try h.ok("promote", "acme/gated", "staging", "--to", "production", "--expect-generation", "0")
        let then = try #require(try h.json("history", "acme/gated", "--env", "production", "--at", afterStaging) as? [[String: Any]])
        #expect(then.isEmpty, "production had nothing right after staging moved")
        let now = try #require(try h.json("history", "acme/gated", "--env", "staging", "--at", afterStaging) as? [[String: Any]])
        #expect(now.compactMap { $0["toTag"] as? String } == ["1.0.0-rc.1"])

        try h.ok("project", "set", "acme/gated", "--single-step")
        let info = try #require(try h.json("project", "show", "acme/gated") as? [String: Any])
        #expect((info["project"] as? [String: Any])?["singleStep"] as? Bool == true)
        let staging = (info["environments"] as? [[String: Any]])?.first { $0["name"] as? String == "staging" }
        #expect((staging?["policy"] as? [String: Any])?["requiredApprovals"] as? Int == 1)
        let names = (try h.json("project", "ls") as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["acme/gated"])
        let entries = try #require(try h.json("audit", "log", "acme/gated", "--after", "3", "--limit", "2") as? [[String: Any]])
        #expect(entries.compactMap { $0["seq"] as? Int }.allSatisfy { $0 > 3 } && entries.count == 2)
        #expect(try auditActions(h, "acme/gated").contains("approval"))
    }

    @Test func errorsExitWithTheSameCodesAsLocally() throws {
        let s = try Setup()
        let h = s.hangar
        try s.write("build/app/app.txt", "app")
        #expect(try h.run("status", "acme/nothing").status == 4, "not found")
        try h.ok("project", "create", "acme/checkout")
        #expect(try h.run("project", "create", "acme/checkout").status == 6, "conflict")
        _ = try cut(h, "cut", Self.sha1, artifacts: ["app=build/app"])
        let again = try h.run("cut", "acme/checkout", "--version", "2.4.0", "--commit", Self.sha2, "--artifact", "app=build/app")
        #expect(again.status == 6, "the version exists: \(again.stderr)")
        #expect(try h.run("promote", "acme/checkout", "9.9.9-rc.1", "--to", "sandbox").status == 4)
        #expect(try h.run("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox", "--force").status == 2, "--force needs --reason")

        var stranger = h
        stranger.environment["HANGAR_TOKEN"] = "hgr_nobody_secret"
        #expect(try stranger.run("status", "acme/checkout").status == 8, "a token the server does not know")
        var anonymous = h
        anonymous.environment["HANGAR_TOKEN"] = nil
        #expect(try anonymous.run("promote", "acme/checkout", "2.4.0-rc.1", "--to", "sandbox").status == 8)

        #expect(try h.run("blob", "ls", "--server", s.server.url).status == 2, "local-only commands refuse --server")
        var unreachable = h
        unreachable.environment["HANGAR_SERVER"] = "http://127.0.0.1:1"
        let down = try unreachable.run("status", "acme/checkout")
        #expect(down.status == 1 && down.stderr.contains("cannot reach"), "\(down.stderr)")
    }

    @Test func anExplicitStoreWinsOverHangarServer() throws {
        let s = try Setup()
        let h = s.hangar
        let local = s.dir.path + "/local-store"
        try h.ok("project", "create", "acme/local", "--store", local)
        #expect(try h.run("status", "acme/local").status == 4, "the server never saw it")
        try h.ok("status", "acme/local", "--store", local)
        #expect(try h.run("status", "acme/local", "--store", local, "--server", s.server.url).status == 2, "one or the other")
        try h.ok("project", "create", "acme/remote", "--server", s.server.url)
        #expect(try h.run("status", "acme/remote", "--store", local).status == 4)
    }

    /// Cuts (or cherry-picks) 2.4.0 and returns the tag and, per artifact, whether it was uploaded.
    func cut(_ h: Hangar, _ command: String, _ commit: String,
             artifacts: [String] = ["api=build/api", "web=build/web"]) throws -> (tag: String, created: [String: Bool]) {
        let args = [command, "acme/checkout", "--version", "2.4.0", "--commit", commit] + artifacts.flatMap { ["--artifact", $0] }
        let r = try h.run(args + ["--json"])
        #expect(r.status == 0, "\(command): exit \(r.status), \(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let candidate = (report["result"] as? [String: Any])?["candidate"] as? [String: Any]
        var created: [String: Bool] = [:]
        for a in report["artifacts"] as? [[String: Any]] ?? [] {
            if let name = (a["artifact"] as? [String: Any])?["name"] as? String { created[name] = a["created"] as? Bool }
        }
        return (candidate?["tag"] as? String ?? "", created)
    }

    func tags(_ h: Hangar) throws -> [String: String] {
        let rows = try h.json("status", "acme/checkout") as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["environment"] as? String ?? "", $0["tag"] as? String ?? "-") })
    }

    func auditActions(_ h: Hangar, _ project: String = "acme/checkout") throws -> [String] {
        (try h.json("audit", "log", project) as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
    }
}

