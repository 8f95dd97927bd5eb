import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// The release board's pages and forms, in-process: the same rights as the API, CSRF,
/// sessions that end, escaping, and hostile paths that get a page, never a crash.
@Suite struct BoardServerTests {
    let p = "/ui/projects/acme/app/-"

    /// Headers of a board request with `token`'s session cookie (nil: no session).
    func session(_ f: ServerFixture, _ token: String?) -> HTTPFields {
        guard let token else { return [:] }
        return [.cookie: "hangar_session=\(f.secrets[token]!)"]
    }

    func form(_ f: ServerFixture, _ token: String?, _ fields: [String: String], csrf: Bool = true) -> (HTTPFields, [UInt8]) {
        var all = fields
        if csrf, let token { all["csrf"] = BoardSession.csrf(f.secrets[token]!) }
        var headers = session(f, token)
        headers[.contentType] = "application/x-www-form-urlencoded"
        return (headers, Array(all.map { "\($0.key)=\(BoardPages.q($0.value))" }.joined(separator: "&").utf8))
    }

    @Test func onlyTheRolesThatMayPromoteCanPromoteFromTheBoard() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let rc1 = try await c.cut("one")
            for (token, expected) in [("ci", 403), ("deployer", 403), ("auditor", 403), ("releaser-prod", 403), (nil, 401)] as [(String?, Int)] {
                let (headers, body) = form(f, token, ["env": "sandbox", "ref": rc1.tag])
                let r = try await c.send(.post, "\(p)/promote", as: nil, headers: headers, body: body)
                #expect(Int(r.status.code) == expected && r.headers[.contentType]?.hasPrefix("text/html") == true, "\(token ?? "anonymous"): \(r.status)")
            }
            #expect(try await f.service.status(ServerFixture.project)[0].tag == nil, "nothing moved")
            let (headers, body) = form(f, "releaser", ["env": "sandbox", "ref": rc1.tag])
            let moved = try await c.send(.post, "\(p)/promote", as: nil, headers: headers, body: body)
            #expect(moved.status == .seeOther && moved.headers[.location]?.contains("notice=sandbox%20now%20runs") == true)
            #expect(try await f.service.status(ServerFixture.project)[0].tag == rc1.tag)
            #expect(try await f.audit(.promotion).last?.actor == "releaser", "audited under the session's token")
            let denied = try await c.denied().filter { $0.pathPrefix.hasPrefix("/ui/") }
            #expect(denied.contains { $0.status == 403 } && denied.contains { $0.status == 401 }, "board refusals are in the security log")
        }
    }

    @Test func aFormWithoutTheSessionsCSRFTokenIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let rc1 = try await c.cut("one")
            var (headers, body) = form(f, "admin", ["env": "sandbox", "ref": rc1.tag], csrf: false)
            #expect(try await c.send(.post, "\(p)/promote", as: nil, headers: headers, body: body).status == .forbidden)
            // Another session's token does not fit this one.
            (headers, body) = form(f, "admin", ["env": "sandbox", "ref": rc1.tag, "csrf": BoardSession.csrf(f.secrets["releaser"]!)], csrf: false)
            #expect(try await c.send(.post, "\(p)/promote", as: nil, headers: headers, body: body).status == .forbidden)
            #expect(try await f.service.status(ServerFixture.project)[0].tag == nil)
        }
    }

    @Test func theBoardShowsWhatEachCallerMayDoAndWhyAMoveIsRefused() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let rc1 = try await c.cut("one")
            try await c.promote(rc1.tag, to: "sandbox")
            let admin = try await c.send(.get, "\(p)/board", as: nil, headers: session(f, "admin")).text
            #expect(admin.contains("data-testid=\"promote-1.0.0-rc.1-staging\"") && admin.contains("never deployed to staging"))
            let deployer = try await c.send(.get, "\(p)/board", as: nil, headers: session(f, "deployer")).text
            #expect(deployer.contains("data-testid=\"pointer-sandbox\"") && !deployer.contains("data-testid=\"promote-"))
            let prod = try await c.send(.get, "\(p)/board", as: nil, headers: session(f, "releaser-prod")).text
            #expect(!prod.contains("promote-1.0.0-rc.1-staging") && prod.contains("blocked-1.0.0-rc.1-production"),
                    "a releaser of production only gets production's verdict")
            let anonymous = try await c.send(.get, "\(p)/board", as: nil)
            #expect(anonymous.status == .unauthorized && anonymous.text.contains("<form method=\"post\" action=\"/ui/login\""))
        }
    }

    @Test func aLargerLimitIsKeptByTheFiltersAndTheLiveFeed() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            for minor in 1...3 { _ = try await c.cut("v\(minor)", version: "1.\(minor).0") }
            let two = try await c.send(.get, "\(p)/board?limit=2", as: nil, headers: session(f, "admin")).text
            #expect(two.components(separatedBy: "<tr data-tag=").count - 1 == 2)
            #expect(two.contains("data-events=\"\(p)/events?limit=2\"") && two.contains("<input type=\"hidden\" name=\"limit\" value=\"2\">"))
            let all = try await c.send(.get, "\(p)/board", as: nil, headers: session(f, "admin")).text
            #expect(all.components(separatedBy: "<tr data-tag=").count - 1 == 3)
            #expect(all.contains("data-events=\"\(p)/events\"") && !all.contains("name=\"limit\""))
        }
    }

    @Test func theLiveFeedWakesOnAMoveAndCountsAgainstMaxWatchers() async throws {
        try await ServerFixture(limits: ["max-watchers": 1]).test(.live) { c in
            let rc1 = try await c.cut("one")
            let port = try #require(c.raw.port)
            let events = RawHTTP.head("GET", "\(p)/events", ["Cookie": "hangar_session=\(c.secrets["deployer"]!)", "Connection": "close"])
            let started = ContinuousClock.now
            async let first = RawHTTP.send(port: port, events, hangUp: false, timeout: 30, until: "event: change")
            try await Task.sleep(for: .milliseconds(800))
            // The one slot is taken: a second stream ends at once (the browser retries in 5 s).
            let second = String(decoding: try await RawHTTP.send(port: port, events, hangUp: false, timeout: 30), as: UTF8.self)
            #expect(second.hasPrefix("HTTP/1.1 200") && second.contains("retry: 5000") && !second.contains("event:"), "\(second.prefix(300))")
            #expect(ContinuousClock.now - started < .seconds(10), "a stream over the limit holds nothing")
            try await c.promote(rc1.tag, to: "sandbox")
            let woken = String(decoding: try await first, as: UTF8.self)
            #expect(woken.contains("text/event-stream") && woken.contains("event: change"), "\(woken.prefix(300))")
            #expect(ContinuousClock.now - started < .seconds(14), "woken by the move, not by the 15 s look")
        }
    }

    @Test func aSessionWhoseTokenIsRevokedEnds() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let login = try await c.send(.post, "/ui/login", as: nil, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: Array("token=\(f.secrets["auditor"]!)".utf8))
            #expect(login.status == .seeOther && login.headers[.setCookie]?.contains("HttpOnly; SameSite=Strict") == true)
            let wrong = try await c.send(.post, "/ui/login", as: nil, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: Array("token=hgr_abc_def".utf8))
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil && wrong.text.contains("not accepted"))
            let id = try await f.service.tokens().first { $0.name == "auditor" }!.id
            _ = try await f.service.revokeToken(id: id, actor: "test")
            let after = try await c.send(.get, "/ui/audit", as: nil, headers: session(f, "auditor"))
            #expect(after.status == .unauthorized && after.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test func whatCandidatesCarryIsEscaped() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let bytes = Array("x".utf8)
            let digest = try await c.upload(bytes)
            var request = CutRequest(project: ServerFixture.project, version: "1.0.0", commit: String(repeating: "a", count: 40),
                                     artifacts: [ArtifactRecord(name: "app", digest: digest, size: 1, mediaType: ArchiveCompression.none.mediaType)],
                                     repository: "https://example.com/\"><script>alert(1)</script>")
            request.changelog = Changelog(since: nil, commits: [.init(commit: String(repeating: "a", count: 40), subject: "<img src=x onerror=alert(1)>")])
            #expect(try await c.json(.post, "/api/v1/projects/acme/app/-/candidates", as: "ci", request).status == .created)
            let page = try await c.send(.get, "\(p)/candidates/1.0.0-rc.1", as: nil, headers: session(f, "admin")).text
            #expect(!page.contains("<script>alert") && !page.contains("<img src=x") && page.contains("&lt;img src=x onerror=alert(1)&gt;"))
            // What an agent reports is shown on the grid, which is written without the template library.
            let move = try await c.promote("1.0.0-rc.1", to: "sandbox").decode(MoveOutcome.self)
            _ = try await c.json(.post, "/api/v1/projects/acme/app/-/deployments/\(move.deployment!.id)/reports", as: "deployer",
                                 ReportBody(status: .failed, message: "</div><script>alert('x')</script> & \"quoted\""))
            let board = try await c.send(.get, "\(p)/board", as: nil, headers: session(f, "admin")).text
            #expect(!board.contains("<script>alert") && board.contains("&lt;/div&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
        }
    }

    @Test func hostilePathsAndParametersGetAPageNotACrash() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", ["name": "acme/app"])
            let cases: [(String, HTTPRequest.Method, Int)] = [
                ("/ui/projects/-/board", .get, 404), ("/ui/projects/acme/app/-/nope", .get, 404), ("/ui/projects/ACME/-/board", .get, 400),
                ("\(p)/board?limit=0", .get, 400), ("\(p)/board?limit=abc", .get, 400), ("\(p)/candidates/%00", .get, 400),
                ("\(p)/candidates/9.9.9-rc.1", .get, 404), ("\(p)/board", .post, 400), ("\(p)/promote", .get, 400),
                ("\(p)/confirm?action=promote", .get, 400), ("\(p)/history?at=yesterday", .get, 400),
                ("/ui/projects/other/app/-/board", .get, 404),
            ]
            for (path, method, status) in cases {
                let r = try await c.send(method, path, as: nil, headers: session(f, "admin"))
                #expect(Int(r.status.code) == status && r.headers[.contentType]?.hasPrefix("text/html") == true, "\(method) \(path): \(r.status)")
            }
            let junk = try await c.send(.get, "\(p)/board", as: nil, headers: [.cookie: "hangar_session=\(String(repeating: "%", count: 3000))"])
            #expect(junk.status == .unauthorized)
            let huge = try await c.send(.post, "/ui/login", as: nil, headers: [.contentType: "application/x-www-form-urlencoded"],
                                        body: Array(repeating: UInt8(ascii: "a"), count: 200_000))
            #expect(huge.status.code >= 400 && huge.status.code < 500)
        }
    }
}
