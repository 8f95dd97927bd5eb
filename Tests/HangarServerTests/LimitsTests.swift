import Foundation
import HTTPTypes
import HangarConformance
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import HangarServer

/// No single client can exhaust the server: every limit refuses with a status that says
/// what kind of refusal it is, and the server keeps answering others.
@Suite struct LimitsTests {
    @Test func uploadSessionsAreCappedPerTokenAndInTotal() async throws {
        try await ServerFixture(limits: ["max-upload-sessions-per-token": 3, "max-upload-sessions": 5]).test { c in
            var locations: [String] = []
            for _ in 0..<3 {
                let r = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
                #expect(r.status == .accepted)
                locations.append(try #require(r.headers[.location]))
            }
            let fourth = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            #expect(fourth.status == .tooManyRequests && fourth.errorCode == "TOOMANYREQUESTS" && fourth.headers[.retryAfter] != nil,
                    "\(fourth.status) \(fourth.text)")
            #expect(try await c.send(.delete, locations[0], as: "ci").status == .noContent)
            #expect(try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci").status == .accepted, "a cancelled session frees its place")
            for _ in 0..<2 { #expect(try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "admin").status == .accepted) }
            let full = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "admin")
            #expect(full.status == .serviceUnavailable && full.headers[.retryAfter] != nil, "\(full.status) \(full.text)")
        }
    }

    @Test func anIdleUploadSessionHoldsNoOpenFile() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            var locations: [String] = []
            for i in 0..<40 {
                let r = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
                let location = try #require(r.headers[.location])
                let chunk = try await c.send(.patch, location, as: "ci", body: Array(repeating: UInt8(i), count: 1000))
                #expect(chunk.status == .accepted)
                locations.append(location)
            }
            #expect(Self.openFiles(under: f.dir.path).isEmpty, "40 idle sessions hold no descriptors")
            // And each still resumes and commits with the right digest.
            let bytes = Array(repeating: UInt8(7), count: 1000) + Array(repeating: UInt8(8), count: 500)
            let done = try await c.send(.put, locations[7] + "?digest=\(SHA256Hasher.digest(bytes))", as: "ci",
                                        body: Array(repeating: UInt8(8), count: 500))
            #expect(done.status == .created, "\(done.text)")
        }
    }

    @Test func watchersBeyondTheLimitAreTurnedAwayAndTheOthersWakeOnAMove() async throws {
        try await ServerFixture(limits: ["max-watchers": 2]).test(.live) { c in
            let rc1 = try await c.cut("one")
            let port = try #require(c.raw.port)
            // Each watcher on a connection of its own (the test client has one).
            let watch = RawHTTP.head("GET", "/api/v1/projects/acme/app/-/environments/sandbox/watch?generation=0&timeout=30",
                                     ["Authorization": "Bearer \(c.secrets["deployer"]!)", "Connection": "close"])
            let started = ContinuousClock.now
            async let first = RawHTTP.send(port: port, watch, hangUp: false, timeout: 40)
            async let second = RawHTTP.send(port: port, watch, hangUp: false, timeout: 40)
            try await Task.sleep(for: .milliseconds(800))
            let third = String(decoding: try await RawHTTP.send(port: port, watch, hangUp: false, timeout: 40), as: UTF8.self)
            #expect(third.hasPrefix("HTTP/1.1 503") && third.lowercased().contains("retry-after: 5"), "\(third.prefix(300))")
            try await c.promote(rc1.tag, to: "sandbox")
            let (a, b) = try await (String(decoding: first, as: UTF8.self), String(decoding: second, as: UTF8.self))
            #expect(a.hasPrefix("HTTP/1.1 200") && b.hasPrefix("HTTP/1.1 200") && a.contains("\"generation\":1"), "\(a.prefix(300))")
            #expect(ContinuousClock.now - started < .seconds(25), "woken by the move, not by the timeout")
        }
    }

    @Test func refusalsGoToABoundedSecurityLogNotTheAuditChain() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let chainBefore = try await f.service.auditLog(project: nil, after: 0, limit: 100_000).count
            let longPath = "/v2/acme/" + String(repeating: "x", count: 3000) + "/tags/list"
            for i in 0..<300 {
                let r = try await c.send(.get, i % 2 == 0 ? longPath : "/v2/acme/app/tags/list", as: nil,
                                         headers: [.authorization: "Bearer hgr_nosuchtoken\(i)_secret"])
                #expect(r.status == .unauthorized)
            }
            let rows = try await c.denied()
            #expect(rows.map(\.count).reduce(0, +) == 300)
            #expect(rows.count <= 4, "300 refusals aggregate into a few rows: \(rows.count)")
            #expect(rows.allSatisfy { $0.pathPrefix.utf8.count <= SecurityEvent.textLimit && $0.reason.utf8.count <= SecurityEvent.textLimit })
            #expect(try await f.service.auditLog(project: nil, after: 0, limit: 100_000).count == chainBefore)
        }
    }

    @Test func aSilentConnectionIsClosedAfterTheHeaderTimeout() async throws {
        try await ServerFixture(limits: ["header-timeout": 1]).test(.live) { c in
            let port = try #require(c.raw.port)
            let started = ContinuousClock.now
            // Half a request line, then silence: the server hangs up, well before our 20 s.
            let raw = try await RawHTTP.send(port: port, Array("GET /v2/ HT".utf8), hangUp: false, timeout: 20)
            #expect(ContinuousClock.now - started < .seconds(10), "closed by the server")
            #expect(raw.isEmpty || String(decoding: raw, as: UTF8.self).contains("HTTP/1.1"))
        }
    }

    @Test func idleConnectionsPastTheLimitMakeRoomForOnesThatSendRequests() async throws {
        try await ServerFixture(limits: ["max-connections": 16]).test(.live) { c in
            let port = try #require(c.raw.port)
            let idle = (0..<60).compactMap { _ in TestSockets.connect(port: port) }
            defer { idle.forEach { close($0) } }
            #expect(idle.count == 60)
            try await Task.sleep(for: .milliseconds(300))
            for _ in 0..<5 {
                let raw = try await RawHTTP.send(port: port, RawHTTP.head("GET", "/healthz", ["Connection": "close"]), hangUp: false, timeout: 10)
                #expect(String(decoding: raw, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            }
            let closed = idle.filter { TestSockets.isClosedByPeer($0) }.count
            #expect(closed >= 60 - 16, "the longest-idle connections were closed: \(closed)")
        }
    }

    /// The files under `root` this process has open.
    static func openFiles(under root: String) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(root + "/store/tmp/") }
    }
}
