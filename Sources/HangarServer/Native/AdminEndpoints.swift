import Foundation
import HangarCore
import Hummingbird

/// The audit log (auditor), tokens (admin), and `whoami`.
struct AdminEndpoints: Sendable {
    let state: ServerState

    /// `GET /api/v1/audit?project=&after=&limit=` (auditor).
    func audit(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let q = request.uri.queryParameters
        let project = q["project"].map(String.init)
        let ops = state.operations(context)
        try ops.authorize(.audit, project: project)
        let after = try q["after"].map { text -> Int64 in
            guard let n = Int64(text), n >= 0 else { throw HangarError.invalid("after='\(text)' is not a sequence number") }
            return n
        } ?? 0
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") } ?? 1000
        return try Responses.json(try await ops.auditLog(project: project, after: after, limit: min(limit, 10_000)))
    }

    /// `GET /api/v1/audit/verify` (auditor of every project).
    func verify(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try Responses.json(try await state.operations(context).verifyAudit())
    }

    /// `GET /api/v1/security-log?since=&limit=` (auditor of every project): refused
    /// requests counted per minute and shape, newest first (default: the last 24 hours).
    func securityLog(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.audit, project: nil)
        let q = request.uri.queryParameters
        let since = try q["since"].map { try Timestamp.parse(String($0)) } ?? state.service.now().addingTimeInterval(-86_400)
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") } ?? 1000
        await state.securityLog.flush()
        return try Responses.json(try await ops.securityEvents(since: since, limit: min(limit, 10_000)))
    }

    /// `GET /api/v1/tokens` (admin): every token, without hashes.
    func tokens(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try Responses.json(try await state.operations(context).tokens())
    }

    /// `POST /api/v1/tokens` (admin): 201 `{"token", "secret"}`; the secret is shown once.
    func createToken(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.admin, project: nil)
        let body = try await NativeBody.decode(TokenRequest.self, request, context)
        return try Responses.json(try await ops.createToken(body), status: .created)
    }

    /// `DELETE /api/v1/tokens/{id}` (admin): the revoked token.
    func revokeToken(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        return try Responses.json(try await state.operations(context).revokeToken(id: id))
    }

    /// `POST /api/v1/gc?dryRun=&project=&graceSeconds=` (admin of the project, or of all):
    /// a `CollectionReport`. The collection runs while the request waits.
    func collect(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let q = request.uri.queryParameters
        let project = q["project"].map(String.init)
        let ops = state.operations(context)
        try ops.authorize(.admin, project: project)
        let dryRun = try q["dryRun"].map { text -> Bool in
            guard let b = Bool(String(text)) else { throw HangarError.invalid("dryRun='\(text.prefix(20))' is not true or false") }
            return b
        } ?? false
        let grace = try q["graceSeconds"].map { try Query.positive(String($0), "graceSeconds") } ?? state.configuration.gcGraceMinutes * 60
        return try Responses.json(try await ops.collectGarbage(dryRun: dryRun, project: project, grace: Double(grace), progress: nil))
    }

    /// `GET /api/v1/whoami`: the caller's token, without its hash.
    func whoami(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try Responses.json(TokenView(try state.operations(context).whoami()))
    }
}
