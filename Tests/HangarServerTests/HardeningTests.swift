import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// Each defect a hostile client found, reproduced: before the fix each of these crashed
/// the server, was answered as a server fault, or was accepted when it should not be.
@Suite struct HardeningTests {
    static let p = "/api/v1/projects/acme/app/-"

    @Test(arguments: ["", ";", " ; ", ";;;", "  ", "application/vnd.oci.image.manifest.v1+json;"])
    func aManifestWithAnyContentTypeIsJudgedNotCrashedOn(_ contentType: String) async throws {
        try await ServerFixture().test { c in
            let image = try await c.pushImage([[1, 2, 3]], reference: "base")
            let r = try await c.send(.put, "/v2/acme/app/manifests/again", as: "ci",
                                     headers: [.contentType: contentType], body: image.bytes)
            #expect(r.status == .created, "Content-Type '\(contentType)': \(r.status) \(r.text)")
            #expect(try await c.send(.get, "/healthz", as: nil).status == .ok, "the server still answers")
        }
    }

    @Test func aHugeSoakIsRefusedByTheAPIAndAStoredOneNeverCrashes() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let rc1 = try await c.cut("one")
            let huge = EnvironmentPolicy(requirePredecessor: true, minimumSoakSeconds: Int.max, requiredApprovals: 0)
            let refused = try await c.json(.put, "\(Self.p)/environments/staging/policy", as: "admin", huge)
            #expect(refused.status == .badRequest && refused.errorMessage.contains("minimumSoakSeconds"), "\(refused.text)")
            let approvals = EnvironmentPolicy(requirePredecessor: true, minimumSoakSeconds: nil, requiredApprovals: Int.max)
            #expect(try await c.json(.put, "\(Self.p)/environments/staging/policy", as: "admin", approvals).status == .badRequest)
            // A value already in the database (written before this check existed) is shown, not trapped on.
            try await f.service.metadata.setPolicy(project: ServerFixture.project, environment: "staging", policy: huge,
                                                   audit: AuditDraft(at: Date(), actor: "test", action: .policySet, project: nil, subject: nil))
            #expect(try await c.promote(rc1.tag, to: "sandbox").status == .ok)
            let blocked = try await c.promote(rc1.tag, to: "staging")
            #expect(blocked.status == .conflict && blocked.errorMessage.contains("requires"), "\(blocked.text)")
            #expect(try await c.send(.get, "\(Self.p)/info", as: "deployer").status == .ok)
        }
    }

    @Test func aTokenExpiryPastTheMaximumIsRefused() async throws {
        let f = try await ServerFixture()
        let far = Date(timeIntervalSinceNow: Double(TimeSpan.maximumSeconds) + 86_400)
        await #expect(throws: HangarError.self) { try await f.service.createToken(name: "far", role: .ci, expiresAt: far, actor: "t") }
        try await f.test { c in
            let r = try await c.send(.post, "/api/v1/tokens", as: "admin", headers: [.contentType: "application/json"],
                                     body: Array(#"{"name":"far","role":"ci","expiresAt":"9999-12-31T00:00:00Z"}"#.utf8))
            #expect(r.status == .badRequest && r.errorMessage.contains("100 years"), "\(r.text)")
        }
    }

    @Test(arguments: ["ffffffffffffffffffff", "-1", "zz", "1;" + String(repeating: "x", count: 9000)])
    func malformedChunkedEncodingIsTheClientsFault(_ size: String) async throws {
        try await ServerFixture().test(.live) { c in
            let port = try #require(c.raw.port)
            let head = RawHTTP.head("POST", "/v2/acme/app/blobs/uploads/?digest=sha256:" + String(repeating: "0", count: 64),
                                    ["Authorization": "Bearer \(c.secrets["ci"]!)", "Transfer-Encoding": "chunked"])
            let raw = try await RawHTTP.send(port: port, head + Array("\(size)\r\nabc\r\n0\r\n\r\n".utf8), hangUp: false, timeout: 10)
            let text = String(decoding: raw, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400") && text.contains("BLOB_UPLOAD_INVALID"), "chunk size '\(size.prefix(20))': \(text.prefix(300))")
            #expect(!text.contains(" 500 "), "never a server fault")
            #expect(try await c.send(.get, "/healthz", as: nil).status == .ok)
        }
    }

    @Test func oversizedHeadersAreRefusedAndTheServerGoesOn() async throws {
        try await ServerFixture(limits: ["max-header-bytes": 8192]).test(.live) { c in
            let port = try #require(c.raw.port)
            let big = RawHTTP.head("GET", "/v2/", ["X-Big": String(repeating: "a", count: 10_000)])
            let many = RawHTTP.head("GET", "/v2/", Dictionary(uniqueKeysWithValues: (0..<300).map { ("X-\($0)", "y") }))
            for request in [big, many] {
                let answer = String(decoding: try await RawHTTP.send(port: port, request, hangUp: false, timeout: 10), as: UTF8.self)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(100))")
            }
            #expect(try await c.send(.get, "/healthz", as: nil).status == .ok)
        }
    }

    @Test(arguments: ["/v2/acme//app/tags/list", "/v2//acme/app/tags/list", "/v2/acme/app//tags/list",
                      "/v2/acme%2Fapp/tags/list", "/v2/acme/ap%ZZp/tags/list", "/v2/acme/app%00/tags/list"])
    func aPathWithAnEmptyOrMalformedSegmentIsRefused(_ path: String) async throws {
        try await ServerFixture().test { c in
            _ = try await c.pushImage([[7]], reference: "v1")
            let r = try await c.send(.get, path, as: "deployer")
            #expect(r.status == .badRequest && r.errorCode == "NAME_INVALID", "\(path): \(r.status) \(r.text)")
        }
        #expect(throws: HangarError.self) { try ProjectRoute.parse("/api/v1/projects/acme/app/-/environments//promote") }
    }

    /// Found by the fuzz harness: each of these crashed the server or the parser.
    @Test func inputsTheFuzzerFoundAreRefusedCleanly() async throws {
        try await ServerFixture().test { c in
            for path in ["/api/v1/projects/-/status", "/api/v1/projects/-/-/status", "/api/v1/projects//-/status"] {
                let r = try await c.send(.get, path, as: "admin")
                #expect(r.status == .notFound || r.status == .badRequest, "\(path): \(r.status)")
            }
            let at = "2026-11-20T10:00:00.12999999999922337203685477580799999998Z"
            let r = try await c.send(.get, "/api/v1/projects/acme/app/-/history?at=\(at)", as: "admin")
            #expect(r.status == .badRequest && r.errorMessage.contains("ISO 8601"), "\(r.status) \(r.text)")
        }
        #expect(try Timestamp.parse("2026-11-20T10:00:00.123Z") == Date(timeIntervalSince1970: 1_795_168_800.123))
        #expect(try Timestamp.parse("2026-11-20T12:00:00+02:00") == Date(timeIntervalSince1970: 1_795_168_800))
        #expect(try Timestamp.parse("2026-11-20") == Date(timeIntervalSince1970: 1_795_132_800))
        for bad in ["2026-02-30", "2026-11-20T24:00:00Z", "2026-11-20T10:00:00", "2026-11-20T10:00:00.Z", "20261120"] {
            #expect(throws: HangarError.self, "\(bad)") { try Timestamp.parse(bad) }
        }
    }

    @Test func aLongReportMessageIsShortenedAndTheReportKept() async throws {
        try await ServerFixture().test { c in
            let rc1 = try await c.cut("one")
            let move = try #require(try await c.promote(rc1.tag, to: "sandbox").decode(MoveOutcome.self).deployment)
            let path = "/srv/" + String(repeating: "very-long-directory/", count: 600)
            let message = "extract failed: \(path) is not writable; \(path) again"
            let r = try await c.json(.post, "\(Self.p)/deployments/\(move.id)/reports", as: "deployer",
                                     ReportBody(status: .failed, message: message))
            #expect(r.status == .ok, "\(r.status) \(r.text)")
            let status = try await c.send(.get, "\(Self.p)/status", as: "deployer").decode([EnvironmentStatus].self)
            let report = try #require(status.first { $0.environment == "sandbox" }?.report)
            #expect(report.status == .failed)
            #expect(report.message!.utf8.count <= HangarService.reportMessageLimit && report.message!.hasSuffix("cut to 4096]"))
        }
    }

    @Test func aPathOverTheLimitIsRefusedWithoutEchoingIt() async throws {
        try await ServerFixture(limits: ["max-path-bytes": 1024]).test { c in
            let r = try await c.send(.get, "/v2/acme/" + String(repeating: "a", count: 2000) + "/tags/list", as: "deployer")
            #expect(r.status == .badRequest && r.errorMessage.contains("max-path-bytes") && r.text.utf8.count < 1024)
        }
    }
}
