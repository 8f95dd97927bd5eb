import HangarCore
import Hummingbird

/// Identifies the caller of every API request from its `Authorization` header. Presented
/// credentials must be a valid token (else 401, counted in the security log); without
/// credentials the caller is anonymous, which only `--anonymous-read` lets read.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = HangarRequestContext
    let service: HangarService
    let access: Access
    let anonymousRead: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = try await identify(request, context: context)
        context.record.caller = context.caller.name
        return try await next(request, context)
    }

    private func identify(_ request: Request, context: Context) async throws -> Caller {
        do {
            guard let secret = try Credentials.secret(fromAuthorization: request.headers[.authorization]) else {
                return .anonymous(readAccess: anonymousRead)
            }
            return .authenticated(try await service.authenticate(secret: secret))
        } catch let e as HangarError where e.kind == .unauthorized {
            await access.recordDenied(caller: .anonymous(readAccess: false), request: request, status: 401,
                                      reason: e.message, address: context.remoteAddress)
            access.metrics.denied(status: 401)
            throw e
        }
    }
}
