import Foundation
import HangarConformance
import HTTPTypes
@testable import HangarCore
import Hummingbird
import HummingbirdTesting
import HangarBackends
import Testing
@testable import HangarServer


/// A server on a fresh embedded store, with one token per role:
/// `admin`, `ci`, `deployer`, `releaser` (every environment), `releaser-prod`
/// (production only), `auditor`, and `ci-other` (ci limited to project `other/app`).
struct ServerFixture: Sendable {
    let dir = TempDir()
    let service: HangarService
    let configuration: ServerConfiguration
    let secrets: [String: String]
    static let project = "acme/app"

    init(anonymousRead: Bool = false, limits: [String: Int] = [:], blobReads: ReadVerification = .atRest) async throws {
        let store = dir.path + "/store"
        service = try await HangarService.openEmbedded(at: store)
        var configuration = ServerConfiguration(store: store, port: 0, anonymousRead: anonymousRead, logLevel: "error")
        for (name, value) in limits { try configuration.limits.set(name, value, source: "test") }
        configuration.blobReads = blobReads
        self.configuration = configuration
        var secrets: [String: String] = [:]
        let grants: [(String, Role, [String], [String])] = [
            ("admin", .admin, [], []), ("ci", .ci, [], []), ("deployer", .deployer, [], []),
            ("releaser", .releaser, [], []), ("releaser-prod", .releaser, [], ["production"]),
            ("auditor", .auditor, [], []), ("ci-other", .ci, ["other/app"], []),
        ]
        for (name, role, projects, environments) in grants {
            secrets[name] = try await service.createToken(name: name, role: role, projects: projects, environments: environments,
                                                          actor: "test").secret
        }
        self.secrets = secrets
    }

    /// Runs `body` against the application in-process (`.router`) or on a socket (`.live`).
    func test<T: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (Client) async throws -> T) async throws -> T {
        let app = try await buildApplication(configuration, service: service)
        return try await app.test(setup) { client in try await body(Client(raw: client, secrets: secrets)) }
    }

    /// The audit entries of one action.
    func audit(_ action: AuditAction) async throws -> [AuditEntry] {
        try await service.auditLog(project: nil, after: 0, limit: 100_000).filter { $0.action == action.rawValue }
    }
}

/// A test client that signs requests as one of the fixture's tokens.
struct Client: Sendable {
    let raw: any TestClientProtocol
    let secrets: [String: String]

    /// Sends a request as `token` (a fixture token name; nil: anonymous).
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, as token: String? = "admin", headers: HTTPFields = [:],
              body: [UInt8]? = nil) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(secrets[token]!)" }
        return try await raw.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// Sends a JSON body.
    @discardableResult
    func json(_ method: HTTPRequest.Method, _ uri: String, as token: String? = "admin", _ value: some Encodable) async throws -> TestResponse {
        try await send(method, uri, as: token, headers: [.contentType: "application/json"], body: try HangarJSON.encode(value))
    }

    /// Uploads a blob in one request and returns its digest.
    @discardableResult
    func upload(_ bytes: [UInt8], to project: String = ServerFixture.project, as token: String = "ci") async throws -> Digest {
        let digest = SHA256Hasher.digest(bytes)
        let r = try await send(.post, "/v2/\(project)/blobs/uploads/?digest=\(digest)", as: token, body: bytes)
        try #require(r.status == .created, "upload: \(r.text)")
        return digest
    }

    /// Pushes an OCI image manifest of the given layers (and an empty config) and
    /// returns its bytes and digest.
    @discardableResult
    func pushImage(_ layers: [[UInt8]], to project: String = ServerFixture.project, reference: String, as token: String = "ci",
                   subject: Digest? = nil, artifactType: String? = nil) async throws -> (bytes: [UInt8], digest: Digest, response: TestResponse) {
        let config = Array("{}".utf8)
        let configDigest = try await upload(config, to: project, as: token)
        var descriptors: [OCIDescriptor] = []
        for layer in layers {
            descriptors.append(OCIDescriptor(mediaType: "application/vnd.oci.image.layer.v1.tar", digest: try await upload(layer, to: project, as: token),
                                             size: Int64(layer.count)))
        }
        let manifest = OCIManifest(artifactType: artifactType, config: OCIDescriptor(mediaType: MediaType.ociEmpty, digest: configDigest, size: 2),
                                   layers: descriptors,
                                   subject: subject.map { OCIDescriptor(mediaType: MediaType.ociManifest, digest: $0, size: 1) })
        let bytes = manifest.canonicalBytes
        let r = try await send(.put, "/v2/\(project)/manifests/\(reference)", as: token,
                               headers: [.contentType: MediaType.ociManifest], body: bytes)
        return (bytes, SHA256Hasher.digest(bytes), r)
    }

    /// Cuts (or cherry-picks) a candidate through the native API with one artifact of `content`.
    @discardableResult
    func cut(_ content: String, version: String = "1.0.0", commit: String = String(repeating: "a", count: 40),
             project: String = ServerFixture.project, cherryPick: Bool = false) async throws -> CandidateRecord {
        let bytes = Array(content.utf8)
        let digest = try await upload(bytes, to: project)
        let request = CutRequest(project: project, version: version, commit: commit,
                                 artifacts: [ArtifactRecord(name: "app", digest: digest, size: Int64(bytes.count),
                                                            mediaType: ArchiveCompression.none.mediaType)])
        let r = try await json(.post, "/api/v1/projects/\(project)/-/\(cherryPick ? "cherry-picks" : "candidates")", as: "ci", request)
        try #require(r.status == .created, "cut: \(r.text)")
        return try r.decode(CutResult.self).candidate
    }

    /// The security log's rows (refused requests), read as `auditor`, one row per refusal
    /// shape and minute with a count.
    func denied() async throws -> [SecurityEvent] {
        let r = try await send(.get, "/api/v1/security-log", as: "auditor")
        try #require(r.status == .ok, "security log: \(r.text)")
        return try r.decode([SecurityEvent].self)
    }

    /// Promotes through the native API as `releaser`.
    @discardableResult
    func promote(_ ref: String, to environment: String, project: String = ServerFixture.project) async throws -> TestResponse {
        try await json(.post, "/api/v1/projects/\(project)/-/environments/\(environment)/promote", as: "releaser",
                       ["ref": ref])
    }
}

extension TestResponse {
    var bytes: [UInt8] { Array(body.readableBytesView) }
    var text: String { String(decoding: bytes, as: UTF8.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try HangarJSON.decoder.decode(T.self, from: Data(bytes))
    }

    /// The first OCI error code of an error body.
    var errorCode: String? { (try? decode(APIError.Body.self))?.errors.first?.code }
    var errorMessage: String { (try? decode(APIError.Body.self))?.errors.first?.message ?? "" }
}
