import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarFileSystem
import Testing
@testable import HangarServer

@Suite struct OCIBlobTests {
    @Test func versionCheckChallengesAnonymousClientsAndGreetsTokens() async throws {
        try await ServerFixture().test { c in
            let anonymous = try await c.send(.get, "/v2/", as: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Basic realm="hangar""#)
            #expect(anonymous.errorCode == "UNAUTHORIZED")
            let ok = try await c.send(.get, "/v2/", as: "deployer")
            #expect(ok.status == .ok && ok.text == "{}")
            #expect(ok.headers[HTTPField.Name("Docker-Distribution-API-Version")!] == "registry/2.0")
        }
    }

    @Test func basicAuthWithTheTokenAsPasswordIsAccepted() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let basic = Data("whoever:\(f.secrets["deployer"]!)".utf8).base64EncodedString()
            let r = try await c.send(.get, "/v2/", as: nil, headers: [.authorization: "Basic \(basic)"])
            #expect(r.status == .ok)
            let bad = try await c.send(.get, "/v2/", as: nil, headers: [.authorization: "Basic \(Data("x:hgr_nope".utf8).base64EncodedString())"])
            #expect(bad.status == .unauthorized && bad.errorCode == "UNAUTHORIZED")
        }
    }

    @Test func monolithicUploadThenHeadAndGetServeTheExactBytes() async throws {
        try await ServerFixture().test { c in
            let bytes = Array("hello, hangar".utf8)
            let digest = try await c.upload(bytes)
            let head = try await c.send(.head, "/v2/acme/app/blobs/\(digest)", as: "deployer")
            #expect(head.status == .ok && head.headers[.contentLength] == "\(bytes.count)")
            #expect(head.headers[HTTPField.Name("Docker-Content-Digest")!] == digest.description)
            let get = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer")
            #expect(get.status == .ok && get.bytes == bytes)
        }
    }

    @Test func rangesAreServedAndUnsatisfiableOnesAre416() async throws {
        try await ServerFixture().test { c in
            let digest = try await c.upload(Array("0123456789".utf8))
            let part = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer", headers: [.range: "bytes=2-5"])
            #expect(part.status == .partialContent && part.text == "2345")
            #expect(part.headers[.contentRange] == "bytes 2-5/10")
            let suffix = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer", headers: [.range: "bytes=-3"])
            #expect(suffix.text == "789")
            let beyond = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer", headers: [.range: "bytes=10-"])
            #expect(beyond.status == .rangeNotSatisfiable && beyond.errorCode == "UNSUPPORTED")
            #expect(beyond.headers[.contentRange] == "bytes */10")
        }
    }

    @Test func unknownBlobBadDigestAndUnknownRepositoryHaveTheirCodes() async throws {
        try await ServerFixture().test { c in
            _ = try await c.upload(Array("x".utf8))
            let missing = SHA256Hasher.digest(Array("nothing".utf8))
            let unknown = try await c.send(.get, "/v2/acme/app/blobs/\(missing)", as: "deployer")
            #expect(unknown.status == .notFound && unknown.errorCode == "BLOB_UNKNOWN")
            let bad = try await c.send(.head, "/v2/acme/app/blobs/sha256:xyz", as: "deployer")
            #expect(bad.status == .badRequest)
            let badGet = try await c.send(.get, "/v2/acme/app/blobs/md5:abc", as: "deployer")
            #expect(badGet.status == .badRequest && badGet.errorCode == "DIGEST_INVALID")
            let repo = try await c.send(.get, "/v2/nobody/here/blobs/\(missing)", as: "deployer")
            #expect(repo.status == .notFound && repo.errorCode == "NAME_UNKNOWN")
            let name = try await c.send(.get, "/v2/Bad_Name/blobs/\(missing)", as: "deployer")
            #expect(name.status == .badRequest && name.errorCode == "NAME_INVALID")
        }
    }

    @Test func aBlobStoredForAnotherProjectIsNotReadableHere() async throws {
        try await ServerFixture().test { c in
            let digest = try await c.upload(Array("secret of other".utf8), to: "other/app")
            _ = try await c.upload(Array("mine".utf8))
            let r = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer")
            #expect(r.status == .notFound && r.errorCode == "BLOB_UNKNOWN")
        }
    }

    @Test func aDigestMismatchStoresNothing() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let claimed = SHA256Hasher.digest(Array("what I say".utf8))
            let r = try await c.send(.post, "/v2/acme/app/blobs/uploads/?digest=\(claimed)", as: "ci", body: Array("what I send".utf8))
            #expect(r.status == .badRequest && r.errorCode == "DIGEST_INVALID")
            let open = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let location = try #require(open.headers[.location])
            try await c.send(.patch, location, as: "ci", body: Array("what I send".utf8))
            let put = try await c.send(.put, location + "?digest=\(claimed)", as: "ci")
            #expect(put.status == .badRequest && put.errorCode == "DIGEST_INVALID")
            #expect(try await f.service.blobs.stat(claimed) == nil)
            #expect(try await f.service.blobs.stat(SHA256Hasher.digest(Array("what I send".utf8))) == nil)
            let gone = try await c.send(.get, location, as: "ci")
            #expect(gone.status == .notFound && gone.errorCode == "BLOB_UPLOAD_UNKNOWN", "a failed finish ends the session")
        }
    }

    @Test func chunkedUploadReportsItsRangeAndRefusesOutOfOrderChunks() async throws {
        try await ServerFixture().test { c in
            let open = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            #expect(open.status == .accepted && open.headers[.range] == "0-0")
            let location = try #require(open.headers[.location])
            #expect(open.headers[HTTPField.Name("Docker-Upload-UUID")!] == location.split(separator: "/").last.map(String.init))
            let first = try await c.send(.patch, location, as: "ci", headers: [.contentRange: "0-4"], body: Array("hello".utf8))
            #expect(first.status == .accepted && first.headers[.range] == "0-4")
            let gap = try await c.send(.patch, location, as: "ci", headers: [.contentRange: "9-12"], body: Array("oops".utf8))
            #expect(gap.status == .rangeNotSatisfiable && gap.errorCode == "BLOB_UPLOAD_INVALID" && gap.headers[.range] == "0-4")
            try await c.send(.patch, location, as: "ci", body: Array(" world".utf8))
            let status = try await c.send(.get, location, as: "ci")
            #expect(status.status == .noContent && status.headers[.range] == "0-10")
            let digest = SHA256Hasher.digest(Array("hello world".utf8))
            let done = try await c.send(.put, location + "?digest=\(digest)", as: "ci", body: Array("!".utf8))
            #expect(done.status == .badRequest, "the final body is part of the blob, so this digest no longer matches")
            let again = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let l2 = try #require(again.headers[.location])
            try await c.send(.patch, l2, as: "ci", body: Array("hello".utf8))
            let finished = try await c.send(.put, l2 + "?digest=\(digest)", as: "ci", body: Array(" world".utf8))
            #expect(finished.status == .created && finished.headers[.location] == "/v2/acme/app/blobs/\(digest)")
            #expect(try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer").text == "hello world")
        }
    }

    @Test func cancelledUploadIsGone() async throws {
        try await ServerFixture().test { c in
            let open = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "ci")
            let location = try #require(open.headers[.location])
            #expect(try await c.send(.delete, location, as: "ci").status == .noContent)
            let status = try await c.send(.get, location, as: "ci")
            #expect(status.status == .notFound && status.errorCode == "BLOB_UPLOAD_UNKNOWN")
            let elsewhere = try await c.send(.get, "/v2/acme/app/blobs/uploads/not-a-session", as: "ci")
            #expect(elsewhere.errorCode == "BLOB_UPLOAD_UNKNOWN")
        }
    }

    @Test func mountLinksAReadableBlobAndOtherwiseOpensASession() async throws {
        try await ServerFixture().test { c in
            let digest = try await c.upload(Array("shared layer".utf8), to: "acme/base")
            let mounted = try await c.send(.post, "/v2/acme/app/blobs/uploads/?mount=\(digest)&from=acme/base", as: "ci")
            #expect(mounted.status == .created && mounted.headers[.location] == "/v2/acme/app/blobs/\(digest)")
            #expect(try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer").text == "shared layer")
            let hidden = try await c.upload(Array("other's layer".utf8), to: "other/app", as: "ci-other")
            let fallback = try await c.send(.post, "/v2/acme/app/blobs/uploads/?mount=\(hidden)&from=acme/nothing", as: "ci")
            #expect(fallback.status == .accepted && fallback.headers[.location]?.contains("/blobs/uploads/") == true)
        }
    }

    @Test func blobDeleteIsUnsupported() async throws {
        try await ServerFixture().test { c in
            let digest = try await c.upload(Array("keep".utf8))
            let r = try await c.send(.delete, "/v2/acme/app/blobs/\(digest)", as: "admin")
            #expect(r.status == .methodNotAllowed && r.errorCode == "UNSUPPORTED" && r.headers[.allow] == "GET, HEAD")
            #expect(!r.errorMessage.contains("hangar gc"), "no command that does not exist is named")
            let anonymous = try await c.send(.delete, "/v2/acme/app/blobs/\(digest)", as: nil)
            #expect(anonymous.status == .unauthorized, "who asks is checked before the method: \(anonymous.status)")
            #expect(try await c.denied().contains { $0.method == "DELETE" && $0.status == 401 }, "and the refusal is counted")
            let post = try await c.send(.post, "/v2/acme/app/manifests/latest", as: "ci")
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "GET, HEAD, PUT, DELETE")
        }
    }

    @Test func aCorruptStoredBlobIsNeverServedAsComplete() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let bytes = Array(repeating: UInt8(ascii: "a"), count: 1000)
            let digest = try await c.upload(bytes)
            let path = try FileSystemBlobStore(root: f.configuration.store).path(for: digest)
            chmod(path, 0o644)
            try Data(repeating: UInt8(ascii: "b"), count: 1000).write(to: URL(fileURLWithPath: path))
            let r = try await c.send(.get, "/v2/acme/app/blobs/\(digest)", as: "deployer")
            #expect(r.status == .internalServerError && r.errorCode == "BLOB_UNKNOWN" && r.errorMessage.contains("damaged"),
                    "a small blob is checked before the answer starts (500; the OCI spec has no code for a damaged blob)")
        }
    }
}
