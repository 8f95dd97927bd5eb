import Foundation
import HangarConformance
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `hangar serve` and `hangar token` as an operator runs them.
@Suite struct ServeCLITests {
    @Test func serveAnnouncesItsAddressAnswersAndFinishesRequestsInFlightOnSIGTERM() async throws {
        let dir = TempDir("serve")
        let cli = CLI(workdir: dir.path)
        let secret = try cli.run("token", "create", "--name", "ops", "--role", "admin").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("hgr_"))
        try cli.run("project", "create", "demo/app")
        let server = cli.process(["serve", "--port", "0", "--log-level", "warning"])
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let reader = out.fileHandleForReading
        let line = try #require(await TestSockets.offPool { Self.firstLine(reader) })
        let base = try #require(line.firstMatch(of: /^hangar: serving on (http:\/\/127\.0\.0\.1:\d+)$/)?.1).description
        let health = try await Self.get(base + "/healthz", token: nil)
        #expect(health.status == 200)
        // A long poll that is still waiting when the server is told to stop (given time
        // to connect even on a loaded machine, and a timeout well past that).
        async let inFlight = Self.get(base + "/api/v1/projects/demo/app/-/environments/sandbox/watch?generation=0&timeout=8", token: secret)
        try await Task.sleep(for: .seconds(2))
        kill(server.processIdentifier, SIGTERM)
        let answer = try await inFlight
        #expect(answer.status == 200 && answer.body.contains("\"generation\":0"), "the request in flight was answered")
        let status = await TestSockets.offPool { server.waitUntilExit(); return server.terminationStatus }
        #expect(status == 0)
    }

    @Test func tokensAreCreatedListedAndRevokedLocally() throws {
        let dir = TempDir("tokens")
        let cli = CLI(workdir: dir.path)
        let created = try cli.run("token", "create", "--name", "ci-main", "--role", "ci", "--project", "acme/app", "--expires", "30d", "--json")
        #expect(created.status == 0 && created.stdout.contains("\"secret\" : \"hgr_") && !created.stdout.contains("secretHash"))
        let id = try #require(created.stdout.firstMatch(of: /"id" : "([a-z0-9]{12})"/)?.1).description
        let list = try cli.run("token", "ls")
        #expect(list.stdout.contains("ci-main") && list.stdout.contains("acme/app") && list.stdout.contains("active"))
        #expect(try cli.run("token", "revoke", id).status == 0)
        #expect(try cli.run("token", "ls").stdout.contains("revoked"))
        let bad = try cli.run("token", "create", "--name", "x", "--role", "emperor")
        #expect(bad.status == 2 && bad.stderr.contains("emperor"))
    }

    /// The first line the process writes, read as it arrives.
    static func firstLine(_ handle: FileHandle) -> String? {
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }

    static func get(_ url: String, token: String?) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}
