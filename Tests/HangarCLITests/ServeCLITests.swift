import Foundation
import HangarConformance
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `hangar serve` and `hangar token` as an operator runs them.
@Suite struct ServeCLITests {
    /// A store with an admin token and project demo/app, served on a free port.
    func serve(_ dir: TempDir) async throws -> (server: Process, base: String, secret: String) {
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
        let reader = out.fileHandleForReading
        let line = try #require(await TestSockets.offPool { Self.firstLine(reader) })
        let base = try #require(line.firstMatch(of: /^hangar: serving on (http:\/\/127\.0\.0\.1:\d+)$/)?.1).description
        return (server, base, secret)
    }

    @Test func serveAnnouncesItsAddressAnswersAndFinishesRequestsInFlightOnSIGTERM() async throws {
        let dir = TempDir("serve")
        let (server, base, secret) = try await serve(dir)
        defer { if server.isRunning { server.terminate() } }
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

    @Test func anOpenReleaseBoardDoesNotHoldUpSIGTERM() async throws {
        let dir = TempDir("serve-board")
        let (server, base, secret) = try await serve(dir)
        defer { if server.isRunning { server.terminate() } }
        // A browser on the board keeps a live stream open (ten minutes, a comment every 15 s).
        async let stream = Self.get(base + "/ui/projects/demo/app/-/events", headers: ["Cookie": "hangar_session=\(secret)"], timeout: 30)
        try await Task.sleep(for: .seconds(2))
        kill(server.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while server.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let stoppedInTime = !server.isRunning
        if !stoppedInTime { kill(server.processIdentifier, SIGKILL) }  // ends the stream, so the test ends
        #expect(stoppedInTime, "the stream held the server past 10 s (its next look is at 15 s, its end at ten minutes)")
        let answer = try? await stream
        #expect(answer?.status == 200 && answer?.body.hasPrefix("retry: 5000") == true, "\(answer?.body.prefix(200) ?? "no answer")")
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

    static func get(_ url: String, token: String? = nil, headers: [String: String] = [:],
                    timeout: TimeInterval = 60) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}
