import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarBackends
import Testing
@testable import HangarServer

@Suite struct OperationsTests {
    @Test func healthAndMetricsNeedNoCredentials() async throws {
        try await ServerFixture().test { c in
            let health = try await c.send(.get, "/healthz", as: nil)
            #expect(health.status == .ok && health.text.contains("ok"))
            let rc1 = try await c.cut("one")
            try await c.promote(rc1.tag, to: "sandbox")
            try await c.send(.get, "/v2/acme/app/blobs/\(SHA256Hasher.digest([1]))", as: "deployer")
            let metrics = try await c.send(.get, "/metrics", as: nil)
            #expect(metrics.status == .ok && metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"hangar_http_requests_total{method="GET",route="/v2/{name}/blobs/{digest}",status="404"} 1"#), "\(text)")
            #expect(text.contains(#"route="/api/v1/projects/{project}/-/candidates",status="201"}"#))
            #expect(text.contains(#"hangar_pointer_moves_total{kind="promote",environment="sandbox"} 1"#))
            #expect(text.contains("hangar_upload_duration_seconds_bucket"))
            #expect(text.contains("hangar_http_received_bytes_total"))
        }
    }

    @Test func requestIDsAreEchoedOrMadeUp() async throws {
        try await ServerFixture().test { c in
            let echoed = try await c.send(.get, "/healthz", as: nil, headers: [HTTPField.Name("X-Request-Id")!: "build-42.step-7"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "build-42.step-7")
            let made = try await c.send(.get, "/healthz", as: nil, headers: [HTTPField.Name("X-Request-Id")!: "no spaces allowed"])
            let id = try #require(made.headers[HTTPField.Name("X-Request-Id")!])
            #expect(id != "no spaces allowed" && !id.isEmpty)
        }
    }

    @Test func unknownPathsGetTheOCIErrorShape() async throws {
        try await ServerFixture().test { c in
            let r = try await c.send(.get, "/nowhere", as: nil)
            #expect(r.status == .notFound && r.errorCode == "NOT_FOUND")
            let method = try await c.send(.post, "/v2/acme/app/tags/list", as: "admin")
            #expect(method.status == .methodNotAllowed && method.errorCode == "UNSUPPORTED")
        }
    }

    @Test func theLiveServerAnswersOnARealSocket() async throws {
        try await ServerFixture().test(.live) { c in
            let r = try await c.send(.get, "/v2/", as: "deployer")
            #expect(c.raw.port != nil && r.status == .ok)
        }
    }
}

@Suite struct ServerConfigurationTests {
    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() throws {
        let file = try ServerSettings.yaml("store: /srv/hangar\nbind: 0.0.0.0\nport: 6000\nanonymous-read: true\n")
        let env = try ServerSettings.environment(["HANGAR_PORT": "7000", "HANGAR_STORE": "/env/store"])
        let flags = ServerSettings(port: 8000)
        let c = try ServerConfiguration.layered([flags, env, file])
        #expect(c == ServerConfiguration(store: "/env/store", bind: "0.0.0.0", port: 8000, anonymousRead: true))
        #expect(try ServerConfiguration.layered([]) == ServerConfiguration())
        #expect(ServerConfiguration().bind == "127.0.0.1" && ServerConfiguration().port == 5000)
    }

    @Test func badSettingsAreRefusedByName() throws {
        #expect(throws: HangarError.self) { try ServerSettings.yaml("prot: 5000\n") }
        #expect(throws: HangarError.self) { try ServerSettings.yaml("port: many\n") }
        #expect(throws: HangarError.self) { try ServerSettings.environment(["HANGAR_PORT": "x"]) }
        #expect(throws: HangarError.self) { try ServerSettings.environment(["HANGAR_ANONYMOUS_READ": "maybe"]) }
        #expect(throws: HangarError.self) { try ServerConfiguration.layered([ServerSettings(port: 70000)]) }
        #expect(throws: HangarError.self) { try ServerConfiguration.layered([ServerSettings(logLevel: "loud")]) }
    }

    @Test func backendsDefaultToTheStoreFolderAndAreNamedByLocation() throws {
        let defaults = try ServerConfiguration.layered([ServerSettings(store: "/srv/h")])
        #expect(defaults.backends == BackendLocations(blobs: "/srv/h", metadata: "/srv/h/metadata.sqlite"))
        let file = try ServerSettings.yaml("blobs: file:///data/blobs\n")
        let env = try ServerSettings.environment(["HANGAR_METADATA": "sqlite:///data/meta.sqlite"])
        let c = try ServerConfiguration.layered([env, file])
        #expect(c.backends == BackendLocations(blobs: "file:///data/blobs", metadata: "sqlite:///data/meta.sqlite"))
        for (blobs, metadata, named) in [("gs://bucket", "/m.sqlite", "--blobs"), ("s3://Bad_Bucket", "/m.sqlite", "--blobs"),
                                         ("s3://bucket?endpoint=ftp://x", "/m.sqlite", "--blobs"), ("s3://bucket?colour=red", "/m.sqlite", "--blobs"),
                                         ("/b", "mysql://u@h/db", "--metadata"),
                                         ("file://relative", "/m.sqlite", "--blobs"), ("", "/m.sqlite", "--blobs")] {
            var bad = ServerSettings()
            (bad.blobs, bad.metadata) = (blobs, metadata)
            let e = #expect(throws: HangarError.self) { try ServerConfiguration.layered([bad]) }
            #expect(e?.kind == .invalidInput && e?.message.contains(named) == true, "\(blobs) \(metadata): \(e?.message ?? "")")
        }
    }
}

@Suite struct ParsingTests {
    @Test func ociPathsAreReadFromTheirEnd() throws {
        let d = "sha256:" + String(repeating: "a", count: 64)
        #expect(try OCIRoute.parse("/v2/") == .base)
        #expect(try OCIRoute.parse("/v2/a/b/c/blobs/\(d)") == .blob(name: "a/b/c", digest: d))
        #expect(try OCIRoute.parse("/v2/blobs/blobs/\(d)") == .blob(name: "blobs", digest: d))
        #expect(try OCIRoute.parse("/v2/acme/app/blobs/uploads/") == .uploads(name: "acme/app"))
        #expect(try OCIRoute.parse("/v2/acme/app/blobs/uploads/abc") == .upload(name: "acme/app", id: "abc"))
        #expect(try OCIRoute.parse("/v2/acme/manifests/manifests/v1") == .manifest(name: "acme/manifests", reference: "v1"))
        #expect(try OCIRoute.parse("/v2/acme/app/tags/list") == .tags(name: "acme/app"))
        #expect(try OCIRoute.parse("/v2/acme/app/referrers/\(d)") == .referrers(name: "acme/app", digest: d))
        #expect(throws: APIError.self) { try OCIRoute.parse("/v2/acme/app/other/thing") }
        #expect { try OCIRoute.parse("/v2/Acme/blobs/\(d)") } throws: { ($0 as? APIError)?.code == .nameInvalid }
    }

    @Test func projectPathsSplitAtTheDashSegment() throws {
        let info = try ProjectRoute.parse("/api/v1/projects/acme/checkout/-/info")
        #expect(info.project == "acme/checkout" && info.route == .info)
        let (p, r) = try ProjectRoute.parse("/api/v1/projects/a/b/c/-/environments/production/promote")
        #expect(p == "a/b/c" && r == .promote(environment: "production"))
        #expect(try ProjectRoute.parse("/api/v1/projects/x/-/candidates/1.0.0-rc.1").route == .candidate(ref: "1.0.0-rc.1"))
        #expect(try ProjectRoute.parse("/api/v1/projects/x/-/deployments/7/reports").route == .reports(deployment: "7"))
        #expect(throws: (any Error).self) { try ProjectRoute.parse("/api/v1/projects/x/info") }
        #expect(throws: (any Error).self) { try ProjectRoute.parse("/api/v1/projects/X/-/info") }
    }

    @Test func credentialsComeFromBearerOrBasicAndErrorsNeverEchoTheSecret() throws {
        #expect(try Credentials.secret(fromAuthorization: "Bearer hgr_abc") == "hgr_abc")
        let basic = Data("user:hgr_xyz:with:colons".utf8).base64EncodedString()
        #expect(try Credentials.secret(fromAuthorization: "Basic \(basic)") == "hgr_xyz:with:colons")
        #expect(try Credentials.secret(fromAuthorization: nil) == nil)
        #expect { try Credentials.secret(fromAuthorization: "Digest hgr_topsecret") } throws: {
            !"\($0)".contains("hgr_topsecret")
        }
        #expect(throws: HangarError.self) { try Credentials.secret(fromAuthorization: "Basic !!!") }
    }

    @Test func byteRangesResolveAgainstTheSize() throws {
        #expect(try ByteRange.resolve("bytes=0-0", size: 10) == 0..<1)
        #expect(try ByteRange.resolve("bytes=5-100", size: 10) == 5..<10)
        #expect(try ByteRange.resolve("bytes=-4", size: 10) == 6..<10)
        #expect(try ByteRange.resolve("bytes=0-1,4-5", size: 10) == nil)
        #expect(try ByteRange.resolve("items=0-1", size: 10) == nil)
        #expect(throws: APIError.self) { try ByteRange.resolve("bytes=10-", size: 10) }
        #expect(try ChunkRange(parsing: "0-99").length == 100)
        let chunk = try ChunkRange(parsing: "bytes 100-199/*")
        #expect(chunk.start == 100 && chunk.end == 199)
        #expect(throws: APIError.self) { try ChunkRange(parsing: "5-1") }
    }
}
