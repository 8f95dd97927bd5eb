import Foundation
import HTTPTypes
import HangarCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import HangarServer

/// Every role against one request of each kind across both APIs: allowed requests
/// succeed, refused ones are 403 (401 without credentials) and each refusal is audited.
@Suite struct RoleMatrixTests {
    /// One request of the matrix and the status it has when allowed.
    struct Probe: Sendable {
        var label: String
        var method: HTTPRequest.Method
        var uri: String
        var body: [UInt8]?
        var success: HTTPResponse.Status
    }

    /// State the probes act on, prepared with other tokens.
    struct Scene: Sendable {
        var blob: Digest
        var manifest: [UInt8]
        var rc1: CandidateRecord
        var deploymentID: Int64
        var candidateBytes: [UInt8]
    }

    static func probes(_ s: Scene) throws -> [Probe] {
        let p = "/api/v1/projects/acme/app/-"
        func json(_ value: some Encodable) throws -> [UInt8] { try HangarJSON.encode(value) }
        let newBlob = Array("fresh".utf8)
        let cut = CutRequest(project: "acme/app", version: "2.0.0", commit: String(repeating: "c", count: 40),
                             artifacts: [ArtifactRecord(name: "app", digest: s.blob, size: 4, mediaType: ArchiveCompression.none.mediaType)])
        return [
            Probe(label: "oci pull manifest", method: .get, uri: "/v2/acme/app/manifests/\(s.rc1.tag)", success: .ok),
            Probe(label: "oci pull blob", method: .get, uri: "/v2/acme/app/blobs/\(s.blob)", success: .ok),
            Probe(label: "oci tags", method: .get, uri: "/v2/acme/app/tags/list", success: .ok),
            Probe(label: "oci push blob", method: .post, uri: "/v2/acme/app/blobs/uploads/?digest=\(SHA256Hasher.digest(newBlob))",
                  body: newBlob, success: .created),
            Probe(label: "oci push manifest", method: .put, uri: "/v2/acme/app/manifests/latest", body: s.manifest, success: .created),
            Probe(label: "oci promote by env tag", method: .put, uri: "/v2/acme/app/manifests/staging", body: s.candidateBytes, success: .created),
            Probe(label: "status", method: .get, uri: "\(p)/status", success: .ok),
            Probe(label: "cut", method: .post, uri: "\(p)/candidates", body: try json(cut), success: .created),
            Probe(label: "promote staging", method: .post, uri: "\(p)/environments/staging/promote", body: try json(["ref": s.rc1.tag]), success: .ok),
            Probe(label: "rollback sandbox", method: .post, uri: "\(p)/environments/sandbox/rollback", body: try json([String: String]()), success: .ok),
            Probe(label: "approve production", method: .post, uri: "\(p)/environments/production/approvals", body: try json(["ref": s.rc1.tag]), success: .ok),
            Probe(label: "report", method: .post, uri: "\(p)/deployments/\(s.deploymentID)/reports", body: try json(["status": "succeeded"]), success: .ok),
            Probe(label: "audit", method: .get, uri: "/api/v1/audit", success: .ok),
            Probe(label: "audit verify", method: .get, uri: "/api/v1/audit/verify", success: .ok),
            Probe(label: "create project", method: .post, uri: "/api/v1/projects", body: try json(["name": "new/one"]), success: .created),
            Probe(label: "set policy", method: .put, uri: "\(p)/environments/staging/policy", body: try json(EnvironmentPolicy()), success: .ok),
            Probe(label: "list tokens", method: .get, uri: "/api/v1/tokens", success: .ok),
            Probe(label: "whoami", method: .get, uri: "/api/v1/whoami", success: .ok),
        ]
    }

    static let allowed: [String: Set<String>] = [
        "admin": ["*"],
        "ci": ["oci pull manifest", "oci pull blob", "oci tags", "oci push blob", "oci push manifest", "status", "cut", "whoami"],
        "deployer": ["oci pull manifest", "oci pull blob", "oci tags", "status", "report", "whoami"],
        "releaser": ["oci pull manifest", "oci pull blob", "oci tags", "status", "oci promote by env tag", "promote staging",
                     "rollback sandbox", "approve production", "whoami"],
        "releaser-prod": ["oci pull manifest", "oci pull blob", "oci tags", "status", "approve production", "whoami"],
        "auditor": ["oci pull manifest", "oci pull blob", "oci tags", "status", "audit", "audit verify", "whoami"],
        "ci-other": ["whoami"],
        "anonymous": [],
    ]

    @Test(arguments: ["admin", "ci", "deployer", "releaser", "releaser-prod", "auditor", "ci-other", "anonymous"])
    func everyRoleGetsExactlyItsRights(role: String) async throws {
        let f = try await ServerFixture()
        try await f.test { c in
            let scene = try await Self.prepare(c)
            var refused = 0
            for probe in try Self.probes(scene) {
                let token = role == "anonymous" ? nil : role
                let r = try await c.send(probe.method, probe.uri, as: token, body: probe.body)
                let allowed = Self.allowed[role]!.contains("*") || Self.allowed[role]!.contains(probe.label)
                if allowed {
                    #expect(r.status == probe.success, "\(role) \(probe.label): \(r.status) \(r.text)")
                } else {
                    refused += 1
                    let expected: HTTPResponse.Status = role == "anonymous" ? .unauthorized : .forbidden
                    #expect(r.status == expected, "\(role) \(probe.label) must be refused: \(r.status) \(r.text)")
                    #expect(r.errorCode == (role == "anonymous" ? "UNAUTHORIZED" : "DENIED"))
                }
            }
            let denied = try await c.denied()
            #expect(denied.map(\.count).reduce(0, +) == refused, "\(role): every refusal is counted once")
            #expect(denied.allSatisfy { $0.actor == (role == "anonymous" ? "anonymous" : role) })
        }
    }

    /// rc.1 and rc.2 cut, sandbox moved rc.1 → rc.2 (so it can roll back), a blob and an
    /// image manifest ready to push.
    static func prepare(_ c: Client) async throws -> Scene {
        let rc1 = try await c.cut("one")
        try await c.promote(rc1.tag, to: "sandbox")
        let rc2 = try await c.cut("two", commit: String(repeating: "b", count: 40), cherryPick: true)
        let move = try await c.promote(rc2.tag, to: "sandbox").decode(MoveOutcome.self)
        let blob = try await c.upload(Array("blob".utf8), as: "admin")
        let config = try await c.upload(Array("{}".utf8), as: "admin")
        let manifest = OCIManifest(artifactType: nil, config: OCIDescriptor(mediaType: MediaType.ociEmpty, digest: config, size: 2),
                                   layers: [OCIDescriptor(mediaType: "application/octet-stream", digest: blob, size: 4)]).canonicalBytes
        let candidate = try await c.send(.get, "/v2/acme/app/manifests/\(rc1.tag)", as: "admin").bytes
        return Scene(blob: blob, manifest: manifest, rc1: rc1, deploymentID: move.deployment!.id, candidateBytes: candidate)
    }
}
