import HangarCore
import Hummingbird

/// Identifies the caller of every API request from its `Authorization` header. Presented
/// credentials must be a valid token (else 401, which `RequestMiddleware` counts in the
/// security log like every refusal); without credentials the caller is anonymous, which
/// only `--anonymous-read` lets read.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HangarRequestContext
    let service: HangarService
    let anonymousRead: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await identify(request)
        context.record.caller = context.caller.name
        context.record.tokenID = context.caller.tokenID
        return try await next(request, context)
    }

    private func identify(_ request: Request) async throws -> Principal {
        guard let secret = try Credentials.secret(fromAuthorization: request.headers[.authorization]) else {
            return .anonymous(readAccess: anonymousRead)
        }
        return .authenticated(try await service.authenticate(secret: secret))
    }
}
