import Foundation
import HangarCore
import Testing
@testable import HangarRemote

/// Dates, paths and endpoints as the native API spells them.
@Suite struct CodingTests {
    struct Stamped: Codable, Equatable {
        var at: Date
        var maybe: Date?
    }

    @Test func datesAreISO8601UTCWithMilliseconds() throws {
        let value = Stamped(at: Timestamp.date(milliseconds: 1_795_168_800_123), maybe: nil)
        let text = String(decoding: try APIJSON.encode(value), as: UTF8.self)
        #expect(text == #"{"at":"2026-11-20T10:00:00.123Z"}"#)
        let back = try APIJSON.decode(Stamped.self, from: Data(text.utf8), what: "test")
        #expect(Timestamp.milliseconds(back.at) == Timestamp.milliseconds(value.at))
        #expect(back.maybe == nil)
    }

    @Test func aDateThatIsNotISO8601IsAnIOErrorNamingTheAnswer() {
        #expect {
            _ = try APIJSON.decode(Stamped.self, from: Data(#"{"at":"yesterday"}"#.utf8), what: "history of x")
        } throws: { error in
            guard let e = error as? HangarError else { return false }
            return e.kind == .io && e.message.contains("history of x") && "\(e)".contains("yesterday")
        }
    }

    @Test func coreRecordsRoundTrip() throws {
        let digest = SHA256Hasher.digest(Array("x".utf8))
        let d = DeploymentRecord(id: 7, project: "acme/checkout", environment: "production", from: nil, to: digest,
                                 kind: .rollback, actor: "alice", at: Timestamp.round(Date()), reason: "bad", overridden: [],
                                 auditSeq: 12)
        let back = try APIJSON.decode(DeploymentRecord.self, from: try APIJSON.encode(d), what: "test")
        #expect(back == d)
        let report = DeploymentReport(deploymentID: 7, project: "acme/checkout", environment: "production", agent: "web-1",
                                      status: .inProgress, message: nil, at: Timestamp.round(Date()))
        let json = String(decoding: try APIJSON.encode(report), as: UTF8.self)
        #expect(json.contains(#""status":"in-progress""#))
        #expect(try APIJSON.decode(DeploymentReport.self, from: Data(json.utf8), what: "test") == report)
    }

    @Test func projectPathsKeepTheNameAndEscapeEachSegment() {
        #expect(APIPath.project("acme/checkout", "info") == "/api/v1/projects/acme/checkout/-/info")
        #expect(APIPath.environment("acme/checkout", "production", "promote")
            == "/api/v1/projects/acme/checkout/-/environments/production/promote")
        #expect(APIPath.project("a", "candidates", APIPath.segment("sha256:abc")) == "/api/v1/projects/a/-/candidates/sha256:abc")
        #expect(APIPath.segment("a b/c?d#e%") == "a%20b%2Fc%3Fd%23e%25")
        let digest = SHA256Hasher.digest(Array("x".utf8))
        #expect(APIPath.blob("acme/checkout", digest) == "/v2/acme/checkout/blobs/\(digest)")
        #expect(APIPath.uploads("acme/checkout") == "/v2/acme/checkout/blobs/uploads/")
    }

    @Test func queriesAreEscapedAndAppendedToAnExistingQuery() {
        #expect(APIPath.query([], appendingTo: "/x") == "")
        #expect(APIPath.query([("at", "2026-11-20T10:00:00.000+01:00"), ("env", "a&b")], appendingTo: "/x")
            == "?at=2026-11-20T10:00:00.000%2B01:00&env=a%26b")
        #expect(APIPath.query([("digest", "sha256:ab")], appendingTo: "/v2/p/blobs/uploads/u?state=1")
            == "&digest=sha256:ab")
    }

    @Test func endpointsMustBeHTTPURLsAndLoseTrailingSlashes() throws {
        let e = try ServerEndpoint(url: "https://hangar.example.com/", token: "  ")
        #expect(e.baseURL == "https://hangar.example.com")
        #expect(e.token == nil)
        #expect(try ServerEndpoint(url: "http://127.0.0.1:8080/prefix//", token: "t").baseURL == "http://127.0.0.1:8080/prefix")
        for bad in ["ftp://x", "hangar.example.com", "http://", "http://h/?q=1", ""] {
            #expect(throws: HangarError.self, "\(bad)") { try ServerEndpoint(url: bad, token: nil) }
        }
    }
}
