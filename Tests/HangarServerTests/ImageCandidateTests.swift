import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// Container images as candidates: an image already pushed becomes an artifact of a
/// candidate (`images` in a cut), environment tags serve it to container runtimes, a push
/// of it to an environment tag promotes, and what the release model needs is not deletable.
@Suite struct ImageCandidateTests {
    static let project = ServerFixture.project

    /// Pushes an image to `repo` and cuts `version` of acme/app with it as artifact `name`
    /// (plus `more` images), as `ci`.
    static func cutImage(_ c: Client, repo: String, seed: String, version: String = "1.0.0",
                         more: [(String, Digest)] = [], as token: String = "ci") async throws -> (TestResponse, Digest) {
        let image = try await c.pushImage([Array("layer \(seed)".utf8)], to: repo, reference: "b-\(seed)", as: "admin")
        try #require(image.response.status == .created, "push: \(image.response.text)")
        var request = CutRequest(project: project, version: version, commit: String(repeating: "a", count: 40), artifacts: [])
        request.images = [ImageSource(name: "web", source: "\(repo)@\(image.digest)")]
            + more.map { ImageSource(name: $0.0, source: "\(project)@\($0.1)") }
        let r = try await c.json(.post, "/api/v1/projects/\(project)/-/candidates", as: token, request)
        return (r, image.digest)
    }

    @Test func anImageFromAnotherRepositoryBecomesAnArtifactAndEnvironmentTagsServeIt() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            _ = try await c.json(.post, "/api/v1/projects", as: "admin", ["name": Self.project])
            let (cut, image) = try await Self.cutImage(c, repo: "acme/app-build", seed: "one")
            try #require(cut.status == .created, "cut: \(cut.text)")
            let candidate = try cut.decode(CutResult.self).candidate
            #expect(candidate.artifacts.map(\.name) == ["web"] && candidate.artifacts[0].isImage && candidate.artifacts[0].digest == image)
            // Its layers are readable through the project now, and the mount is audited.
            let manifest = try await c.send(.get, "/v2/acme/app/manifests/\(image)", as: "deployer")
            #expect(manifest.status == .ok)
            #expect(try await f.audit(.manifestPushed).contains { $0.project == Self.project && $0.details["mountedFrom"] == "acme/app-build" })
            try await c.promote(candidate.tag, to: "sandbox")
            for tag in ["sandbox", "sandbox-web"] {
                let r = try await c.send(.get, "/v2/acme/app/manifests/\(tag)", as: "deployer")
                #expect(r.status == .ok && SHA256Hasher.digest(r.bytes) == image, "\(tag) serves the image")
            }
            // The candidate tag is still the candidate.
            let rc = try await c.send(.get, "/v2/acme/app/manifests/\(candidate.tag)", as: "deployer")
            #expect(SHA256Hasher.digest(rc.bytes) == candidate.digest)
            let tags = try await c.send(.get, "/v2/acme/app/tags/list", as: "deployer").decode([String: AnyCodableTags].self)
            #expect(tags["tags"]?.values.contains("sandbox-web") == true)
        }
    }

    @Test func pushingTheImageToAnEnvironmentTagPromotesItsCandidate() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let (cut, image) = try await Self.cutImage(c, repo: Self.project, seed: "two")
            let candidate = try cut.decode(CutResult.self).candidate
            try await c.promote(candidate.tag, to: "sandbox")
            let bytes = try await c.send(.get, "/v2/acme/app/manifests/sandbox", as: "releaser").bytes
            #expect(SHA256Hasher.digest(bytes) == image)
            let r = try await c.send(.put, "/v2/acme/app/manifests/staging", as: "releaser",
                                     headers: [.contentType: MediaType.ociManifest], body: bytes)
            #expect(r.status == .created, "\(r.text)")
            let moves = try await f.service.history(Self.project, environment: "staging")
            #expect(moves.count == 1 && moves[0].toTag == candidate.tag && moves[0].deployment.actor == "releaser")
            // A deployer may not: the same check as any promotion.
            let refused = try await c.send(.put, "/v2/acme/app/manifests/production", as: "deployer",
                                           headers: [.contentType: MediaType.ociManifest], body: bytes)
            #expect(refused.status == .forbidden)
        }
    }

    @Test func aCandidateWithSeveralImagesIsServedPerArtifact() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let other = try await c.pushImage([Array("worker".utf8)], reference: "worker-b1", as: "admin")
            let (cut, web) = try await Self.cutImage(c, repo: Self.project, seed: "three", more: [("worker", other.digest)])
            let candidate = try cut.decode(CutResult.self).candidate
            try await c.promote(candidate.tag, to: "sandbox")
            let env = try await c.send(.get, "/v2/acme/app/manifests/sandbox", as: "deployer")
            #expect(SHA256Hasher.digest(env.bytes) == candidate.digest, "two images: the environment tag is the candidate")
            #expect(SHA256Hasher.digest(try await c.send(.get, "/v2/acme/app/manifests/sandbox-web", as: "deployer").bytes) == web)
            #expect(SHA256Hasher.digest(try await c.send(.get, "/v2/acme/app/manifests/sandbox-worker", as: "deployer").bytes) == other.digest)
            let none = try await c.send(.get, "/v2/acme/app/manifests/sandbox-nothing", as: "deployer")
            #expect(none.status == .notFound && none.errorCode == "MANIFEST_UNKNOWN" && none.errorMessage.contains("'nothing'"))
        }
    }

    @Test func whatTheReleaseModelNeedsCannotBePushedOverOrDeleted() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let (cut, image) = try await Self.cutImage(c, repo: Self.project, seed: "four")
            let candidate = try cut.decode(CutResult.self).candidate
            try await c.promote(candidate.tag, to: "sandbox")
            let other = try await c.pushImage([Array("intruder".utf8)], reference: "x", as: "admin")
            let push = try await c.send(.put, "/v2/acme/app/manifests/sandbox-web", as: "admin",
                                        headers: [.contentType: MediaType.ociManifest], body: other.bytes)
            #expect(push.status == .forbidden && push.errorCode == "DENIED")
            for reference in ["sandbox-web", "sandbox", image.description] {
                let r = try await c.send(.delete, "/v2/acme/app/manifests/\(reference)", as: "admin")
                #expect(r.status == .forbidden && r.errorCode == "DENIED", "\(reference): \(r.status) \(r.text)")
            }
        }
    }

    @Test func theImageMustBeReadableByTheCutterAndBeAnImage() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            // ci-other may cut only in other/app and read nothing else.
            _ = try await c.json(.post, "/api/v1/projects", as: "admin", ["name": "other/app"])
            let image = try await c.pushImage([Array("secret".utf8)], reference: "s1", as: "admin")
            var request = CutRequest(project: "other/app", version: "1.0.0", commit: String(repeating: "a", count: 40), artifacts: [])
            request.images = [ImageSource(name: "web", source: "\(Self.project)@\(image.digest)")]
            let refused = try await c.json(.post, "/api/v1/projects/other/app/-/candidates", as: "ci-other", request)
            #expect(refused.status == .forbidden, "\(refused.text)")
            // A candidate is not an image; a missing digest is named.
            let rc = try await c.cut("plain")
            request = CutRequest(project: Self.project, version: "2.0.0", commit: String(repeating: "a", count: 40), artifacts: [])
            request.images = [ImageSource(name: "web", source: "\(Self.project)@\(rc.digest)")]
            let notImage = try await c.json(.post, "/api/v1/projects/\(Self.project)/-/candidates", as: "ci", request)
            #expect(notImage.status == .notFound && notImage.errorMessage.contains("no image manifest"), "\(notImage.text)")
            request.images = [ImageSource(name: "web", source: "\(Self.project)@sha256:\(String(repeating: "0", count: 64))")]
            let missing = try await c.json(.post, "/api/v1/projects/\(Self.project)/-/candidates", as: "ci", request)
            #expect(missing.status == .notFound && missing.errorMessage.contains("push the image first"))
            #expect(try await f.service.metadata.candidates(project: Self.project, version: "2.0.0").isEmpty)
        }
    }

    @Test func fetchExtractsArchivesAndSaysImagesAreForContainerRuntimes() async throws {
        let f = try await ServerFixture()
        let (candidate, folder) = try await f.test { c in
            let blob = try await c.upload(Array("not an archive, a file".utf8))
            let image = try await c.pushImage([Array("img".utf8)], reference: "i1", as: "admin")
            var request = CutRequest(project: Self.project, version: "1.0.0", commit: String(repeating: "a", count: 40),
                                     artifacts: [ArtifactRecord(name: "notes", digest: blob, size: 22, mediaType: ArchiveCompression.none.mediaType)])
            request.images = [ImageSource(name: "web", source: "\(Self.project)@\(image.digest)")]
            let r = try await c.json(.post, "/api/v1/projects/\(Self.project)/-/candidates", as: "ci", request)
            return (try r.decode(CutResult.self).candidate, f.dir.path + "/out")
        }
        let ops = f.service.acting(as: .local("tester"))
        do {
            _ = try await ops.fetch(Self.project, ref: candidate.tag, to: folder, artifact: "web")
            Issue.record("fetching an image artifact into a folder succeeded")
        } catch let e as HangarError {
            #expect(e.kind == .invalidInput && e.message.contains("container image") && e.message.contains("podman pull"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/web"))
    }
}

/// `{"name": …, "tags": […]}` read loosely.
enum AnyCodableTags: Decodable {
    case name(String), values([String])
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .name(s) } else { self = .values(try c.decode([String].self)) }
    }
    var values: [String] { if case .values(let v) = self { v } else { [] } }
}
