import AsyncHTTPClient
import Foundation
import HangarCore
import NIOCore

/// The `HangarClient` that talks to a `hangar serve` over HTTP: the native API (`/api/v1`)
/// for releases, environments, history and audit, and the OCI blob API (`/v2`) for the
/// artifact bytes. Errors come back as the same `HangarError` kinds a local store throws,
/// so every command behaves (and exits) alike in both modes. The server acts for the
/// token the client presents.
public struct RemoteClient: HangarClient {
    let transport: HTTPTransport

    public var endpoint: ServerEndpoint { transport.endpoint }

    public init(endpoint: ServerEndpoint) {
        transport = HTTPTransport(endpoint: endpoint)
    }

    // MARK: Projects

    public func createProject(_ name: String, environments: [String], singleStep: Bool) async throws -> ProjectInfo {
        try await transport.json(.POST, APIPath.projects, body: NewProject(name: name, environments: environments, singleStep: singleStep),
                                 what: "create project \(name)")
    }

    public func setSingleStep(_ name: String, _ on: Bool) async throws -> ProjectInfo {
        try await transport.json(.PATCH, APIPath.project(name, "settings"), body: ProjectSettings(singleStep: on),
                                 what: "change the settings of \(name)")
    }

    public func setPolicy(_ project: String, environment: String, policy: EnvironmentPolicy) async throws -> ProjectInfo {
        try await transport.json(.PUT, APIPath.environment(project, environment, "policy"), body: policy,
                                 what: "set the policy of \(environment) in \(project)")
    }

    public func projectInfo(_ name: String) async throws -> ProjectInfo {
        try await transport.json(.GET, APIPath.project(name, "info"), what: "project \(name)")
    }

    public func projects() async throws -> [ProjectRecord] {
        try await transport.json(.GET, APIPath.projects, what: "list projects")
    }

    // MARK: Candidates

    public func storeArtifact(name: String, path: String, compression: ArchiveCompression, project: String?,
                              progress: ProgressHandler?) async throws -> ArtifactUpload {
        try Names.checkArtifact(name)
        guard let project else { throw HangarError.invalid("artifact '\(name)': a server stores blobs per project; name the project") }
        try Names.checkProject(project)
        let total = progress == nil ? nil : BuildOutputSize.of(path)
        let archived = try ArchivedFile.make(path, compression: compression,
                                             progress: progress.map { p in { p(TransferProgress(.archiving, name, done: $0, total: total)) } })
        defer { archived.file.remove() }
        let record = ArtifactRecord(name: name, digest: archived.digest, size: archived.size, mediaType: compression.mediaType)
        if try await transport.hasBlob(archived.digest, project: project) {
            return ArtifactUpload(artifact: record, created: false, inputBytes: archived.inputBytes)
        }
        try await transport.uploadBlob(archived, project: project,
                                       progress: progress.map { p in { p(TransferProgress(.uploading, name, done: $0, total: archived.size)) } })
        return ArtifactUpload(artifact: record, created: true, inputBytes: archived.inputBytes)
    }

    public func cut(_ request: CutRequest) async throws -> CutResult {
        try await transport.json(.POST, APIPath.project(request.project, "candidates"), body: request,
                                 what: "cut \(request.version) of \(request.project)")
    }

    public func cherryPick(_ request: CutRequest) async throws -> CutResult {
        try await transport.json(.POST, APIPath.project(request.project, "cherry-picks"), body: request,
                                 what: "cherry-pick onto \(request.version) of \(request.project)")
    }

    public func show(_ project: String, ref: String) async throws -> CandidateDetails {
        try await transport.json(.GET, APIPath.project(project, "candidates", APIPath.segment(ref)), what: "candidate \(ref) of \(project)")
    }

    public func diff(_ project: String, from: String, to: String) async throws -> CandidateDiff {
        try await transport.json(.GET, APIPath.project(project, "diff"), query: [("from", from), ("to", to)],
                                 what: "diff \(from)..\(to) of \(project)")
    }

    // MARK: Pointer moves

    public func promote(_ project: String, ref: String, to environment: String, options: MoveOptions) async throws -> MoveOutcome {
        let body = Move(ref: ref, to: nil, force: options.force, reason: options.reason, expectedGeneration: options.expectedGeneration)
        return try await transport.json(.POST, APIPath.environment(project, environment, "promote"), body: body,
                                        what: "promote \(ref) to \(environment) of \(project)")
    }

    public func rollback(_ project: String, environment: String, to ref: String?, options: MoveOptions) async throws -> MoveOutcome {
        let body = Move(ref: nil, to: ref, force: options.force, reason: options.reason, expectedGeneration: options.expectedGeneration)
        return try await transport.json(.POST, APIPath.environment(project, environment, "rollback"), body: body,
                                        what: "roll back \(environment) of \(project)")
    }

    public func approve(_ project: String, ref: String, environment: String, comment: String?) async throws -> ApprovalRecord {
        try await transport.json(.POST, APIPath.environment(project, environment, "approvals"), body: Approval(ref: ref, comment: comment),
                                 what: "approve \(ref) for \(environment) of \(project)")
    }

    // MARK: Reading state

    public func status(_ project: String) async throws -> [EnvironmentStatus] {
        try await transport.json(.GET, APIPath.project(project, "status"), what: "status of \(project)")
    }

    public func candidates(_ project: String, version: String?, limit: Int) async throws -> [CandidateSummary] {
        var query = [("limit", String(limit))]
        if let version { query.append(("version", version)) }
        return try await transport.json(.GET, APIPath.project(project, "candidates"), query: query, what: "candidates of \(project)")
    }

    public func history(_ project: String, environment: String?, at: Date?, limit: Int?) async throws -> [HistoryEntry] {
        var query: [(String, String)] = []
        if let environment { query.append(("env", environment)) }
        if let at { query.append(("at", Timestamp.format(at))) }
        if let limit { query.append(("limit", String(limit))) }
        return try await transport.json(.GET, APIPath.project(project, "history"), query: query, what: "history of \(project)")
    }

    public func auditLog(project: String?, after: Int64, limit: Int) async throws -> [AuditEntry] {
        var query: [(String, String)] = [("after", String(after)), ("limit", String(limit))]
        if let project { query.insert(("project", project), at: 0) }
        return try await transport.json(.GET, "/api/v1/audit", query: query, what: "audit log")
    }

    public func verifyAudit() async throws -> AuditVerification {
        try await transport.json(.GET, "/api/v1/audit/verify", what: "audit verification")
    }

    // MARK: Retention and garbage collection

    public func retentionRules(_ project: String) async throws -> RetentionAnswer {
        try await transport.json(.GET, APIPath.project(project, "retention"), what: "retention rules of \(project)")
    }

    public func setRetentionRules(_ project: String, _ rules: RetentionRules) async throws -> RetentionRules {
        try await transport.json(.PUT, APIPath.project(project, "retention"), body: rules, what: "set the retention rules of \(project)")
    }

    /// The server collects; no progress is reported while it does.
    public func collectGarbage(dryRun: Bool, project: String?, grace: TimeInterval,
                               progress: (@Sendable (Int, Int) -> Void)?) async throws -> CollectionReport {
        var query = [("dryRun", String(dryRun)), ("graceSeconds", String(Int(grace)))]
        if let project { query.append(("project", project)) }
        return try await transport.json(.POST, "/api/v1/gc", query: query, body: [String: String](), what: "garbage collection",
                                        timeout: .minutes(60))
    }
}

// MARK: Request bodies

private struct NewProject: Encodable {
    var name: String
    var environments: [String]
    var singleStep: Bool
}

private struct ProjectSettings: Encodable {
    var singleStep: Bool
}

/// A promote names `ref`, a rollback `to` (nil: the previous candidate).
private struct Move: Encodable {
    var ref: String?
    var to: String?
    var force: Bool
    var reason: String?
    var expectedGeneration: Int64?
}

private struct Approval: Encodable {
    var ref: String
    var comment: String?
}
