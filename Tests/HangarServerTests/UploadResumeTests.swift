import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarFileSystem
import Testing
@testable import HangarServer

/// Uploads over a real socket whose connection drops in the middle of a chunk.
@Suite struct UploadResumeTests {
    @Test func aChunkCutOffMidBodyKeepsItsBytesAndTheClientResumes() async throws {
        let f = try await ServerFixture()
        let blob = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await f.test(.live) { c in
            let port = try #require(c.raw.port)
            let open = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let location = try #require(open.headers[.location])
            // Announce the whole blob, send the first 70,000 bytes, hang up.
            let head = RawHTTP.head("PATCH", location, ["Authorization": "Bearer \(f.secrets["ci"]!)",
                                                         "Content-Length": "\(blob.count)", "Content-Range": "0-\(blob.count - 1)"])
            _ = try await RawHTTP.send(port: port, head + blob[0..<70_000], hangUp: true)
            let offset = try await waitForStableOffset(c, location)
            #expect(offset > 0 && offset <= 70_000, "kept what arrived: \(offset)")
            // Resume from the reported range, as a client would.
            let rest = try await c.send(.patch, location, as: "ci", headers: [.contentRange: "\(offset)-\(blob.count - 1)"],
                                        body: Array(blob[Int(offset)...]))
            #expect(rest.status == .accepted && rest.headers[.range] == "0-\(blob.count - 1)")
            let digest = SHA256Hasher.digest(blob)
            #expect(try await c.send(.put, location + "?digest=\(digest)", as: "ci").status == .created)
            #expect(try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer").bytes == blob)
        }
    }

    @Test func aCorruptStoredBlobIsCutShortOnTheWire() async throws {
        let f = try await ServerFixture()
        // Over the 1 MiB that is checked before answering, so it streams and is cut.
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 3_000_000)
        try await f.test(.live) { c in
            let port = try #require(c.raw.port)
            let digest = try await c.upload(bytes)
            let path = try FileSystemBlobStore(root: f.configuration.store).path(for: digest)
            chmod(path, 0o644)
            try Data(repeating: UInt8(ascii: "b"), count: bytes.count).write(to: URL(fileURLWithPath: path))
            let response = RawHTTP.head("GET", "/v2/acme/app/blobs/\(digest)", ["Authorization": "Bearer \(f.secrets["deployer"]!)",
                                                                                "Connection": "close"])
            let raw = try await RawHTTP.send(port: port, response, hangUp: false)
            #expect(String(decoding: raw.prefix(12), as: UTF8.self) == "HTTP/1.1 200")
            #expect(RawHTTP.body(of: raw).count < bytes.count, "the body stops short of its Content-Length")
        }
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() async throws {
        let f = try await ServerFixture()
        try await f.test(.live) { c in
            let port = try #require(c.raw.port)
            let head = RawHTTP.head("POST", "/v2/acme/app/blobs/uploads/", ["Authorization": "Bearer \(f.secrets["ci"]!)",
                                                                            "Content-Length": "5", "Expect": "100-continue"])
            // Send only the head: the interim response must come without the body.
            let answer = try await RawHTTP.send(port: port, head, hangUp: false, timeout: 10, until: "\r\n\r\n")
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 100 Continue\r\n"))
        }
    }

    /// The upload's offset once the server has finished with the dropped request.
    private func waitForStableOffset(_ c: Client, _ location: String) async throws -> Int64 {
        var last: String?
        for _ in 0..<50 {
            let status = try await c.send(.get, location, as: "ci")
            let range = status.headers[.range]
            if let range, range == last, range != "0-0" {
                return Int64(range.split(separator: "-")[1])! + 1
            }
            last = range
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the upload's range never settled (last \(last ?? "none"))")
        return 0
    }
}
