import Foundation
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// Walks every endpoint of both APIs from the routers' own tables (`Endpoint.all`): each
/// mutating one refuses a caller without the right (403; 401 anonymous), counts the
/// refusal in the security log, changes nothing, and for a caller with the right succeeds
/// and appends an audit entry (or, for blob uploads, which are kept off the audit chain,
/// records who linked the blob). A new endpoint without a probe here fails the test.
@Suite struct RouteCoverageTests {
    struct Probe {
        var uri: String
        var body: [UInt8]? = nil
        var headers: HTTPFields = [:]
        var success: HTTPResponse.Status
        /// Recorded as a blob link rather than an audit entry.
        var offChain = false
    }

    @Test func everyMutatingEndpointChecksTheCallerAndIsRecorded() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let scene = try await RoleMatrixTests.prepare(c)
            let mutating = Endpoint.all.filter(\.isMutating)
            #expect(mutating.count >= 19, "the tables list every mutating endpoint: \(mutating)")
            for endpoint in mutating {
                let probe = try await Self.probe(endpoint, scene, c)
                guard let probe else {
                    Issue.record("no probe for \(endpoint): add one to RouteCoverageTests")
                    continue
                }
                let audit = try await f.service.auditLog(project: nil, after: 0, limit: 1_000_000).count
                let denied = try await c.denied().map(\.count).reduce(0, +)
                for (token, status) in [("ci-other", HTTPResponse.Status.forbidden), (nil, .unauthorized)] as [(String?, HTTPResponse.Status)] {
                    let r = try await c.send(endpoint.method, probe.uri, as: token, headers: probe.headers, body: probe.body)
                    #expect(r.status == status, "\(endpoint) as \(token ?? "anonymous"): \(r.status) \(r.text)")
                }
                #expect(try await c.denied().map(\.count).reduce(0, +) == denied + 2, "\(endpoint): both refusals counted")
                #expect(try await f.service.auditLog(project: nil, after: 0, limit: 1_000_000).count == audit,
                        "\(endpoint): a refused request changes nothing")
                let r = try await c.send(endpoint.method, probe.uri, as: "admin", headers: probe.headers, body: probe.body)
                #expect(r.status == probe.success, "\(endpoint) as admin: \(r.status) \(r.text)")
                if !probe.offChain {
                    #expect(try await f.service.auditLog(project: nil, after: 0, limit: 1_000_000).count > audit,
                            "\(endpoint): a change is audited")
                }
            }
        }
    }

    /// Every read endpoint refuses a token with rights only in another project, except the
    /// few that answer any authenticated caller about itself.
    @Test func everyReadEndpointChecksTheCaller() async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let scene = try await RoleMatrixTests.prepare(c)
            let open: Set<String> = ["GET /v2/", "HEAD /v2/", "GET /api/v1/projects", "GET /api/v1/whoami"]
            for endpoint in Endpoint.all where !endpoint.isMutating && !open.contains(endpoint.description) {
                let uri = Self.fill(endpoint.pattern, scene, id: "1", digest: scene.blob.description)
                let r = try await c.send(endpoint.method, uri, as: "ci-other")
                #expect(r.status == .forbidden, "\(endpoint) as ci-other: \(r.status) \(r.text)")
            }
        }
    }

    static func fill(_ pattern: String, _ s: RoleMatrixTests.Scene, id: String, digest: String, reference: String = "latest",
                     env: String = "staging") -> String {
        pattern.replacingOccurrences(of: "{name}", with: "acme/app").replacingOccurrences(of: "{project}", with: "acme/app")
            .replacingOccurrences(of: "{digest}", with: digest).replacingOccurrences(of: "{reference}", with: reference)
            .replacingOccurrences(of: "{ref}", with: s.rc1.tag).replacingOccurrences(of: "{env}", with: env)
            .replacingOccurrences(of: "{id}", with: id)
    }

    /// A request that succeeds for an admin, made fresh for each endpoint (sessions, tokens).
    static func probe(_ e: Endpoint, _ s: RoleMatrixTests.Scene, _ c: Client) async throws -> Probe? {
        func json(_ value: some Encodable) throws -> [UInt8] { try HangarJSON.encode(value) }
        func fill(id: String = "1", digest: String = s.blob.description, reference: String = "latest", env: String = "staging") -> String {
            Self.fill(e.pattern, s, id: id, digest: digest, reference: reference, env: env)
        }
        func session() async throws -> String {
            let r = try await c.send(.post, "/v2/acme/app/blobs/uploads/", as: "admin")
            return String(r.headers[.location]!.split(separator: "/").last!)
        }
        let fresh = Array(UUID().uuidString.utf8)
        let freshDigest = SHA256Hasher.digest(fresh)
        let cut = CutRequest(project: "acme/app", version: "9.\(Int.random(in: 0...99_999)).0", commit: String(repeating: "c", count: 40),
                             artifacts: [ArtifactRecord(name: "app", digest: s.blob, size: 4, mediaType: ArchiveCompression.none.mediaType)])
        switch (e.method, e.pattern) {
        case (.post, "/v2/{name}/blobs/uploads/"):
            return Probe(uri: fill() + "?digest=\(freshDigest)", body: fresh, success: .created, offChain: true)
        case (.patch, "/v2/{name}/blobs/uploads/{id}"):
            return Probe(uri: fill(id: try await session()), body: fresh, success: .accepted, offChain: true)
        case (.put, "/v2/{name}/blobs/uploads/{id}"):
            return Probe(uri: fill(id: try await session()) + "?digest=\(freshDigest)", body: fresh, success: .created, offChain: true)
        case (.delete, "/v2/{name}/blobs/uploads/{id}"):
            return Probe(uri: fill(id: try await session()), success: .noContent, offChain: true)
        case (.put, "/v2/{name}/manifests/{reference}"):
            return Probe(uri: fill(reference: "t\(Int.random(in: 0...999_999))"), body: s.manifest,
                         headers: [.contentType: MediaType.ociManifest], success: .created)
        case (.delete, "/v2/{name}/manifests/{reference}"):
            let tag = "d\(Int.random(in: 0...999_999))"
            _ = try await c.send(.put, "/v2/acme/app/manifests/\(tag)", as: "admin", headers: [.contentType: MediaType.ociManifest], body: s.manifest)
            return Probe(uri: fill(reference: tag), success: .accepted)
        case (.post, "/api/v1/projects"):
            return Probe(uri: e.pattern, body: try json(["name": "new/p\(Int.random(in: 0...999_999))"]), success: .created)
        case (.post, "/api/v1/tokens"):
            return Probe(uri: e.pattern, body: try json(["name": "t\(Int.random(in: 0...999_999))", "role": "ci"]), success: .created)
        case (.delete, "/api/v1/tokens/{id}"):
            let r = try await c.json(.post, "/api/v1/tokens", as: "admin", ["name": "r\(Int.random(in: 0...999_999))", "role": "ci"])
            return Probe(uri: fill(id: try r.decode(IssuedToken.self).token.id), success: .ok)
        case (.patch, "/api/v1/projects/{project}/-/settings"):
            return Probe(uri: fill(), body: try json(["singleStep": false]), success: .ok)
        case (.put, "/api/v1/projects/{project}/-/environments/{env}/policy"):
            return Probe(uri: fill(), body: try json(EnvironmentPolicy()), success: .ok)
        case (.post, "/api/v1/projects/{project}/-/candidates"):
            return Probe(uri: fill(), body: try json(cut), success: .created)
        case (.post, "/api/v1/projects/{project}/-/cherry-picks"):
            var pick = cut
            pick.version = "1.0.0"
            pick.cherryPicks = [String(repeating: "d", count: 40)]
            return Probe(uri: fill(), body: try json(pick), success: .created)
        case (.post, "/api/v1/projects/{project}/-/environments/{env}/promote"):
            return Probe(uri: fill(env: "staging"), body: try json(["ref": s.rc1.tag]), success: .ok)
        case (.post, "/api/v1/projects/{project}/-/environments/{env}/rollback"):
            let rc = try await c.cut("rb\(Int.random(in: 0...999_999))", version: "7.\(Int.random(in: 0...99_999)).0")
            try await c.promote(rc.tag, to: "sandbox")
            return Probe(uri: fill(env: "sandbox"), body: try json([String: String]()), success: .ok)
        case (.post, "/api/v1/projects/{project}/-/environments/{env}/approvals"):
            let rc = try await c.cut("ap\(Int.random(in: 0...999_999))", version: "8.\(Int.random(in: 0...99_999)).0")
            return Probe(uri: fill(env: "production"), body: try json(["ref": rc.tag]), success: .ok)
        case (.put, "/api/v1/projects/{project}/-/retention"):
            return Probe(uri: fill(), body: try json(RetentionRules(rollbackDepth: 3)), success: .ok)
        case (.post, "/api/v1/gc"):
            return Probe(uri: e.pattern + "?dryRun=false&graceSeconds=60", success: .ok)
        case (.post, "/api/v1/projects/{project}/-/deployments/{id}/reports"):
            return Probe(uri: fill(id: String(s.deploymentID)), body: try json(["status": "succeeded"]), success: .ok)
        default:
            return nil
        }
    }
}
