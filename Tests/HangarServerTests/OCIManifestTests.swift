import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

@Suite struct OCIManifestTests {
    static let digestHeader = HTTPField.Name("Docker-Content-Digest")!

    @Test func aPushedManifestIsServedByteForByteByTagAndDigest() async throws {
        try await ServerFixture().test { c in
            let (bytes, digest, put) = try await c.pushImage([Array("layer one".utf8)], reference: "latest")
            #expect(put.status == .created && put.headers[.location] == "/v2/acme/app/manifests/\(digest)")
            #expect(put.headers[Self.digestHeader] == digest.description)
            for ref in ["latest", digest.description] {
                let get = try await c.send(.get, "/v2/acme/app/manifests/\(ref)", as: "deployer")
                #expect(get.status == .ok && get.bytes == bytes)
                #expect(get.headers[.contentType] == MediaType.ociManifest && get.headers[Self.digestHeader] == digest.description)
            }
            let head = try await c.send(.head, "/v2/acme/app/manifests/latest", as: "deployer")
            #expect(head.status == .ok && head.headers[.contentLength] == "\(bytes.count)" && head.bytes.isEmpty)
        }
    }

    @Test func unknownManifestsAndBadReferencesHaveTheirCodes() async throws {
        try await ServerFixture().test { c in
            try await c.pushImage([Array("l".utf8)], reference: "v1")
            let missing = try await c.send(.get, "/v2/acme/app/manifests/v2", as: "deployer")
            #expect(missing.status == .notFound && missing.errorCode == "MANIFEST_UNKNOWN")
            let byDigest = try await c.send(.get, "/v2/acme/app/manifests/\(SHA256Hasher.digest([1]))", as: "deployer")
            #expect(byDigest.errorCode == "MANIFEST_UNKNOWN")
            // A malformed reference names no manifest (the OCI conformance suite asks this of
            // GET, HEAD and DELETE); pushing to one is a bad request.
            for method: HTTPRequest.Method in [.get, .head, .delete] {
                for ref in [".INVALID_MANIFEST_NAME", "-nope"] {
                    let r = try await c.send(method, "/v2/acme/app/manifests/\(ref)", as: "ci")
                    #expect(r.status == .notFound && (method == .head || r.errorCode == "MANIFEST_UNKNOWN"), "\(method) \(ref): \(r.status)")
                }
                let badDigest = try await c.send(method, "/v2/acme/app/manifests/sha256:baddigeststring", as: "ci")
                #expect(badDigest.status == .badRequest && (method == .head || badDigest.errorCode == "DIGEST_INVALID"))
            }
            let badTag = try await c.send(.put, "/v2/acme/app/manifests/-nope", as: "ci", body: Array("{}".utf8))
            #expect(badTag.status == .badRequest && badTag.errorCode == "MANIFEST_INVALID")
            let badDigest = try await c.send(.put, "/v2/acme/app/manifests/sha256:123", as: "ci", body: Array("{}".utf8))
            #expect(badDigest.status == .badRequest && badDigest.errorCode == "DIGEST_INVALID")
            let noRepo = try await c.send(.get, "/v2/no/such/manifests/v1", as: "deployer")
            #expect(noRepo.status == .notFound && noRepo.errorCode == "NAME_UNKNOWN")
        }
    }

    @Test func invalidManifestsAndMissingBlobsAreRefused() async throws {
        try await ServerFixture().test { c in
            let notJSON = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", body: Array("hello".utf8))
            #expect(notJSON.status == .badRequest && notJSON.errorCode == "MANIFEST_INVALID")
            let schema1 = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", body: Array(#"{"schemaVersion":1}"#.utf8))
            #expect(schema1.errorCode == "MANIFEST_INVALID")
            let ghost = OCIDescriptor(mediaType: MediaType.ociEmpty, digest: SHA256Hasher.digest(Array("ghost".utf8)), size: 5)
            let manifest = OCIManifest(artifactType: nil, config: ghost, layers: [])
            let unknown = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", headers: [.contentType: MediaType.ociManifest],
                                           body: manifest.canonicalBytes)
            #expect(unknown.status == .badRequest && unknown.errorCode == "MANIFEST_BLOB_UNKNOWN")
            let config = try await c.upload(Array("{}".utf8))
            let wrongSize = OCIManifest(artifactType: nil, config: OCIDescriptor(mediaType: MediaType.ociEmpty, digest: config, size: 3), layers: [])
            let sized = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", body: wrongSize.canonicalBytes)
            #expect(sized.status == .badRequest && sized.errorCode == "MANIFEST_INVALID" && sized.errorMessage.contains("bytes"))
            let mismatch = try await c.send(.put, "/v2/acme/app/manifests/\(SHA256Hasher.digest([0]))", as: "ci",
                                            body: OCIManifest(artifactType: nil, config: OCIDescriptor(mediaType: MediaType.ociEmpty, digest: config, size: 2), layers: []).canonicalBytes)
            #expect(mismatch.status == .badRequest && mismatch.errorCode == "DIGEST_INVALID")
            let huge = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", body: [UInt8](repeating: 32, count: 5 << 20))
            #expect(huge.status == .contentTooLarge && huge.errorCode == "SIZE_INVALID", "\(huge.status) \(huge.text)")
            let typeClash = try await c.send(.put, "/v2/acme/app/manifests/x", as: "ci", headers: [.contentType: MediaType.ociIndex],
                                             body: wrongSize.canonicalBytes)
            #expect(typeClash.errorCode == "MANIFEST_INVALID")
        }
    }

    @Test func aCandidateTagIsImmutable() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let candidate = try await c.cut("v1 build")
            let original = try await c.send(.get, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer")
            #expect(original.status == .ok && SHA256Hasher.digest(original.bytes) == candidate.digest)
            let again = try await c.send(.put, "/v2/acme/app/manifests/\(candidate.tag)", as: "ci",
                                         headers: [.contentType: MediaType.ociManifest], body: original.bytes)
            #expect(again.status == .created, "re-pushing the very bytes is a no-op")
            let (_, _, moved) = try await c.pushImage([Array("impostor".utf8)], reference: candidate.tag)
            #expect(moved.status == .conflict && moved.errorCode == "DENIED" && moved.errorMessage.contains("immutable"))
            let (_, _, reserved) = try await c.pushImage([Array("x".utf8)], reference: "9.9.9-rc.1")
            #expect(reserved.status == .forbidden && reserved.errorCode == "DENIED", "a Hangar project reserves the rc form")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer").bytes == original.bytes)
        }
    }

    @Test func pushingACandidateToAnEnvironmentTagIsARecordedPromotion() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let candidate = try await c.cut("v1 build")
            let bytes = try await c.send(.get, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer").bytes
            let put = try await c.send(.put, "/v2/acme/app/manifests/sandbox", as: "releaser",
                                       headers: [.contentType: MediaType.ociManifest], body: bytes)
            #expect(put.status == .created)
            let history = try await f.service.history(ServerFixture.project, environment: "sandbox")
            #expect(history.count == 1 && history[0].deployment.to == candidate.digest && history[0].deployment.actor == "releaser")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/sandbox", as: "deployer").bytes == bytes)
            let skip = try await c.send(.put, "/v2/acme/app/manifests/production", as: "releaser", body: bytes)
            #expect(skip.status == .conflict && skip.errorCode == "DENIED" && skip.errorMessage.contains("staging"),
                    "the policy applies: staging comes first")
            let (image, _, _) = try await c.pushImage([Array("not a candidate".utf8)], reference: "latest")
            let stranger = try await c.send(.put, "/v2/acme/app/manifests/staging", as: "releaser", body: image)
            #expect(stranger.status == .conflict && stranger.errorCode == "DENIED" && stranger.errorMessage.contains("is neither"))
        }
    }

    @Test func anEnvironmentTagPushNeedsTheRightToPromoteThere() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let candidate = try await c.cut("v1 build")
            let bytes = try await c.send(.get, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer").bytes
            for token in ["ci", "deployer", "releaser-prod"] {
                let r = try await c.send(.put, "/v2/acme/app/manifests/sandbox", as: token, body: bytes)
                #expect(r.status == .forbidden && r.errorCode == "DENIED", "\(token)")
            }
            #expect(try await f.service.history(ServerFixture.project, environment: "sandbox").isEmpty)
            let denied = try await c.denied()
            #expect(Set(denied.map(\.actor)) == ["ci", "deployer", "releaser-prod"])
            #expect(denied.allSatisfy { $0.method == "PUT" && $0.pathPrefix == "/v2/acme/app/manifests/sandbox" })
        }
    }

    @Test func aMirrorMayCarryUpstreamReleaseCandidateTags() async throws {
        try await ServerFixture().test { c in
            let (_, image, pushed) = try await c.pushImage([Array("upstream".utf8)], to: "mirror/k8s", reference: "v1.30.0-rc.1")
            #expect(pushed.status == .created, "a repository without candidates takes rc-shaped tags: \(pushed.text)")
            let read = try await c.send(.get, "/v2/mirror/k8s/manifests/v1.30.0-rc.1", as: "deployer")
            #expect(read.status == .ok && read.headers[.dockerContentDigest] == image.description)
            #expect(try await c.send(.delete, "/v2/mirror/k8s/manifests/v1.30.0-rc.1", as: "ci").status == .accepted)
            #expect(try await c.send(.get, "/v2/mirror/k8s/manifests/v1.30.0-rc.1", as: "deployer").status == .notFound)
            // And a cut never takes the name of a plain tag.
            try await c.pushImage([Array("plain".utf8)], to: "mirror/k8s", reference: "1.0.0-rc.1")
            let bytes = Array("build".utf8)
            let digest = try await c.upload(bytes, to: "mirror/k8s")
            let cut = try await c.json(.post, "/api/v1/projects/mirror/k8s/-/candidates", as: "ci", CutRequest(
                project: "mirror/k8s", version: "1.0.0", commit: String(repeating: "a", count: 40),
                artifacts: [ArtifactRecord(name: "app", digest: digest, size: Int64(bytes.count), mediaType: ArchiveCompression.none.mediaType)]))
            #expect(cut.status == .conflict && cut.errorMessage.contains("plain tag"), "\(cut.status) \(cut.text)")
        }
    }

    @Test func plainContentIsDeletableAndWhatTheReleaseModelNeedsIsNot() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let candidate = try await c.cut("v1 build")
            try await c.promote(candidate.tag, to: "sandbox")
            for ref in [candidate.digest.description, candidate.tag, "sandbox"] {
                let r = try await c.send(.delete, "/v2/acme/app/manifests/\(ref)", as: "ci")
                #expect(r.status == .forbidden && r.errorCode == "DENIED", "\(ref): \(r.status) \(r.text)")
            }
            // A tag is deleted on its own; the manifest stays until it is deleted by digest.
            let (_, image, _) = try await c.pushImage([Array("one".utf8)], reference: "latest")
            try await c.pushImage([Array("one".utf8)], reference: "stable")
            #expect(try await c.send(.delete, "/v2/acme/app/manifests/latest", as: "ci").status == .accepted)
            #expect(try await c.send(.get, "/v2/acme/app/manifests/latest", as: "deployer").errorCode == "MANIFEST_UNKNOWN")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/stable", as: "deployer").status == .ok)
            #expect(try await c.send(.delete, "/v2/acme/app/manifests/latest", as: "ci").errorCode == "MANIFEST_UNKNOWN")
            // A tagged manifest goes with its tags.
            #expect(try await c.send(.delete, "/v2/acme/app/manifests/\(image)", as: "ci").status == .accepted)
            #expect(try await c.send(.get, "/v2/acme/app/manifests/\(image)", as: "deployer").errorCode == "MANIFEST_UNKNOWN")
            #expect(try await c.send(.get, "/v2/acme/app/manifests/stable", as: "deployer").errorCode == "MANIFEST_UNKNOWN")
            let (deletedManifests, deletedTags) = (try await f.audit(.manifestDeleted), try await f.audit(.tagDeleted))
            #expect(deletedManifests.count == 1 && deletedTags.count == 1)
            // Deleting needs the right to push.
            #expect(try await c.send(.delete, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer").status == .forbidden)
        }
    }

    @Test func tagsListHasEveryKindOfTagSortedAndPaginated() async throws {
        try await ServerFixture().test { c in
            let candidate = try await c.cut("v1 build")
            try await c.promote(candidate.tag, to: "sandbox")
            try await c.pushImage([Array("a".utf8)], reference: "latest")
            try await c.pushImage([Array("b".utf8)], reference: "edge")
            struct List: Decodable { var name: String; var tags: [String] }
            let all = try await c.send(.get, "/v2/acme/app/tags/list", as: "deployer").decode(List.self)
            #expect(all.name == "acme/app" && all.tags == ["1.0.0-rc.1", "edge", "latest", "sandbox"])
            let first = try await c.send(.get, "/v2/acme/app/tags/list?n=2", as: "deployer")
            #expect(try first.decode(List.self).tags == ["1.0.0-rc.1", "edge"])
            #expect(first.headers[HTTPField.Name("Link")!] == #"</v2/acme/app/tags/list?n=2&last=edge>; rel="next""#)
            let second = try await c.send(.get, "/v2/acme/app/tags/list?n=2&last=edge", as: "deployer")
            #expect(try second.decode(List.self).tags == ["latest", "sandbox"] && second.headers[HTTPField.Name("Link")!] == nil)
        }
    }

    @Test func referrersListManifestsWhoseSubjectIsTheDigestWithAnArtifactTypeFilter() async throws {
        try await ServerFixture().test { c in
            let (_, subject, _) = try await c.pushImage([Array("image".utf8)], reference: "v1")
            let (_, sbom, _) = try await c.pushImage([Array("sbom".utf8)], reference: "sbom", subject: subject, artifactType: "application/spdx+json")
            let (_, sig, put) = try await c.pushImage([Array("sig".utf8)], reference: sbom.description.replacingOccurrences(of: ":", with: "-"),
                                                      subject: subject, artifactType: "application/vnd.dev.cosign")
            #expect(put.headers[HTTPField.Name("OCI-Subject")!] == subject.description)
            let all = try await c.send(.get, "/v2/acme/app/referrers/\(subject)", as: "deployer")
            #expect(all.headers[.contentType] == MediaType.ociIndex)
            let index = try all.decode(ReferrersIndex.self)
            #expect(Set(index.manifests.map(\.digest)) == [sbom, sig])
            let filtered = try await c.send(.get, "/v2/acme/app/referrers/\(subject)?artifactType=application/spdx+json", as: "deployer")
            #expect(try filtered.decode(ReferrersIndex.self).manifests.map(\.digest) == [sbom])
            #expect(filtered.headers[HTTPField.Name("OCI-Filters-Applied")!] == "artifactType")
            let none = try await c.send(.get, "/v2/acme/app/referrers/\(SHA256Hasher.digest([9]))", as: "deployer")
            #expect(try none.status == .ok && (none.decode(ReferrersIndex.self).manifests.isEmpty))
        }
    }

    @Test func aFirstPushCreatesTheProjectWhenTheTokenMayPush() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let (_, _, put) = try await c.pushImage([Array("x".utf8)], to: "fresh/app", reference: "latest")
            #expect(put.status == .created)
            let created = try await f.audit(.projectCreated)
            #expect(created.map(\.project) == ["fresh/app"] && created[0].actor == "ci")
            let info = try await c.send(.get, "/api/v1/projects/fresh/app/-/info", as: "deployer").decode(ProjectInfo.self)
            #expect(info.environments.map(\.name) == HangarService.defaultEnvironments)
            let refused = try await c.send(.post, "/v2/other/team/blobs/uploads/", as: "ci-other")
            #expect(refused.status == .forbidden)
            #expect(try await f.service.metadata.project("other/team") == nil)
        }
    }

    @Test func anIndexNeedsItsChildManifestsInTheRepository() async throws {
        try await ServerFixture().test { c in
            let (child, digest, _) = try await c.pushImage([Array("amd64".utf8)], reference: digestRef([1]))
            let entry = OCIDescriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(child.count))
            let index = try HangarJSON.encode(ReferrersIndex(manifests: [entry]))
            let ok = try await c.send(.put, "/v2/acme/app/manifests/multi", as: "ci", headers: [.contentType: MediaType.ociIndex], body: index)
            #expect(ok.status == .created)
            let get = try await c.send(.get, "/v2/acme/app/manifests/multi", as: "deployer")
            #expect(get.headers[.contentType] == MediaType.ociIndex && get.bytes == index)
            let stranger = OCIDescriptor(mediaType: MediaType.ociManifest, digest: SHA256Hasher.digest([7]), size: 10)
            let bad = try await c.send(.put, "/v2/acme/app/manifests/multi2", as: "ci", headers: [.contentType: MediaType.ociIndex],
                                       body: try HangarJSON.encode(ReferrersIndex(manifests: [stranger])))
            #expect(bad.errorCode == "MANIFEST_BLOB_UNKNOWN")
        }
    }

    private func digestRef(_ seed: [UInt8]) -> String { "child-\(seed.count)" }
}
