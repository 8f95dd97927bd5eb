import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// Upload sessions live in the metadata and blob stores, not in one process: a second
/// server on the same stores (or this one after a restart) continues them.
@Suite struct DurableUploadTests {
    @Test func aChunkedUploadStartedOnOneServerIsFinishedOnAnother() async throws {
        let f = try await ServerFixture()
        let a = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        let b = (0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 5) }
        let location = try await f.test { c in
            let start = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let location = try #require(start.headers[.location])
            #expect(try await c.send(.patch, location, as: "ci", body: a).status == .accepted)
            return location
        }
        try await f.test { c in  // a new application: nothing of the first in memory
            let status = try await c.send(.get, location, as: "ci")
            #expect(status.status == .noContent && status.headers[.range] == "0-\(a.count - 1)")
            #expect(try await c.send(.patch, location, as: "ci", headers: [.contentRange: "\(a.count)-\(a.count + b.count - 1)"],
                                     body: b).status == .accepted)
            let digest = SHA256Hasher.digest(a + b)
            #expect(try await c.send(.put, location + "?digest=\(digest)", as: "ci").status == .created)
            #expect(try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer").bytes == a + b)
            #expect(try await c.send(.get, location, as: "ci").status == .notFound, "the session is over")
        }
        #expect(try await f.service.metadata.idleUploadSessions(before: Date.distantFuture, limit: 10).isEmpty)
    }

    @Test func anOutOfOrderFinalChunkIs416() async throws {
        try await ServerFixture().test { c in
            let location = try #require(try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci").headers[.location])
            #expect(try await c.send(.patch, location, as: "ci", body: Array(repeating: 1, count: 100)).status == .accepted)
            let digest = SHA256Hasher.digest(Array(repeating: UInt8(1), count: 100) + Array(repeating: 2, count: 50))
            let wrong = try await c.send(.put, location + "?digest=\(digest)", as: "ci", headers: [.contentRange: "120-169"],
                                         body: Array(repeating: 2, count: 50))
            #expect(wrong.status == .rangeNotSatisfiable && wrong.headers[.range] == "0-99", "\(wrong.status)")
            let right = try await c.send(.put, location + "?digest=\(digest)", as: "ci", headers: [.contentRange: "100-149"],
                                         body: Array(repeating: 2, count: 50))
            #expect(right.status == .created)
        }
    }

    @Test func idleSessionsAreSweptWithTheirBytes() async throws {
        let f = try await ServerFixture()
        let location = try await f.test { c in
            let r = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let location = try #require(r.headers[.location])
            _ = try await c.send(.patch, location, as: "ci", body: Array(repeating: 1, count: 5000))
            return location
        }
        let id = String(location.split(separator: "/").last!)
        #expect(try await f.service.blobs.sessionSize(id) == 5000)
        let sessions = UploadSessions(registry: Registry(service: f.service), idleLimit: .seconds(0), maxTotal: 10, maxPerOwner: 10)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await sessions.sweep() == 1)
        #expect(try await f.service.blobs.sessionSize(id) == nil)
        #expect(try await f.service.metadata.uploadSession(id: id) == nil)
    }

    @Test func writersOfSessionsFinishedElsewhereAreForgotten() async throws {
        let f = try await ServerFixture()
        try await f.test { c in _ = try await c.upload([1]) }  // creates the project
        let here = UploadSessions(registry: Registry(service: f.service), idleLimit: .seconds(3600), maxTotal: 10, maxPerOwner: 10)
        let record = try await here.open(project: ServerFixture.project, by: .local("t"))
        let session = try await here.claim(record.id, project: ServerFixture.project, by: .local("t"))
        try await session.writer.write([1, 2, 3])
        try await here.release(session)
        #expect(await here.kept == 1)
        try await f.service.metadata.deleteUploadSession(id: record.id)  // as another server finishing it
        #expect(try await here.sweep() == 0)
        #expect(await here.kept == 0)
    }

    @Test func sessionLimitsHoldAcrossServers() async throws {
        let f = try await ServerFixture(limits: ["max-upload-sessions-per-token": 2])
        for _ in 0..<2 {
            let status = try await f.test { c in try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci").status }
            #expect(status == .accepted)
        }
        let third = try await f.test { c in try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci").status }
        #expect(third == .tooManyRequests, "the limit counts the sessions of every server")
    }
}
