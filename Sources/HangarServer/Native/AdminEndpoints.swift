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
        try await state.require(.audit, request, context, project: project)
        let after = try q["after"].map { text -> Int64 in
            guard let n = Int64(text), n >= 0 else { throw HangarError.invalid("after='\(text)' is not a sequence number") }
            return n
        } ?? 0
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") } ?? 1000
        return try Responses.json(try await state.service.auditLog(project: project, after: after, limit: min(limit, 10_000)))
    }

    /// `GET /api/v1/audit/verify` (auditor of every project).
    func verify(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try await state.require(.audit, request, context, project: nil)
        return try Responses.json(try await state.service.verifyAudit())
    }

    /// `GET /api/v1/security-log?since=&limit=` (auditor of every project): refused
    /// requests counted per minute and shape, newest first (default: the last 24 hours).
    func securityLog(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try await state.require(.audit, request, context, project: nil)
        let q = request.uri.queryParameters
        let since = try q["since"].map { try Timestamp.parse(String($0)) } ?? state.service.now().addingTimeInterval(-86_400)
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") } ?? 1000
        await state.access.securityLog.flush()
        return try Responses.json(try await state.metadata.securityEvents(since: since, limit: min(limit, 10_000)))
    }

    /// `GET /api/v1/tokens` (admin): every token, without hashes.
    func tokens(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try await state.require(.admin, request, context, project: nil)
        return try Responses.json(try await state.service.tokens().map(TokenView.init))
    }

    /// `POST /api/v1/tokens` (admin): 201 `{"token", "secret"}`; the secret is shown once.
    func createToken(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try await state.require(.admin, request, context, project: nil)
        let body = try await NativeBody.decode(CreateTokenBody.self, request, context)
        let (record, secret) = try await state.service.createToken(
            name: body.name, role: body.role, projects: body.projects ?? [], environments: body.environments ?? [],
            expiresAt: body.expiresAt, actor: context.caller.name)
        return try Responses.json(IssuedToken(token: TokenView(record), secret: secret), status: .created)
    }

    /// `DELETE /api/v1/tokens/{id}` (admin): the revoked token.
    func revokeToken(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try await state.require(.admin, request, context, project: nil)
        let id = try context.parameters.require("id")
        return try Responses.json(TokenView(try await state.service.revokeToken(id: id, actor: context.caller.name)))
    }

    /// `GET /api/v1/whoami`: the caller's token, without its hash.
    func whoami(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        guard let token = context.caller.token else {
            try await state.require(.read, request, context, project: nil)
            throw Access.loginRequired(.read)
        }
        return try Responses.json(TokenView(token))
    }
}
