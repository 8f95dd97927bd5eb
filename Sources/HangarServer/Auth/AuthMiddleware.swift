import HangarCore
import Hummingbird

/// Identifies the caller of every request from the credentials it carries: the API's
/// `Authorization` header, or the board's session cookie. Presented credentials must be a
/// valid token (else 401, which `RequestMiddleware` counts in the security log like every
/// refusal); without credentials the caller is anonymous, which only `--anonymous-read`
/// lets read.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HangarRequestContext
    let service: HangarService
    let anonymousRead: Bool
    /// The token secret the request presents, if any.
    var secret: @Sendable (Request) throws -> String? = { try Credentials.secret(fromAuthorization: $0.headers[.authorization]) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await identify(request)
        context.record.caller = context.caller.name
        context.record.tokenID = context.caller.tokenID
        return try await next(request, context)
    }

    private func identify(_ request: Request) async throws -> Principal {
        guard let secret = try secret(request) else {
            return .anonymous(readAccess: anonymousRead)
        }
        return .authenticated(try await service.authenticate(secret: secret))
    }
}
