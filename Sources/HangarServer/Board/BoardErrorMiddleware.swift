import HangarCore
import Hummingbird

/// Turns a board failure into a page a person can read, with the status the JSON API
/// would give (403 denied, 409 refused by policy, 404 …). A session whose token stopped
/// working (revoked, expired) is ended and the sign-in page says why. Refusals are counted
/// in the security log as the API's are.
struct BoardErrorMiddleware: RouterMiddleware {
    typealias Context = HangarRequestContext
    let securityLog: SecurityLog
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = APIError(error, scope: .native)
            let status = failure.status
            if status.code == 401 || status.code == 403 {
                await securityLog.record(actor: context.record.caller, tokenID: context.record.tokenID, address: context.remoteAddress,
                                         method: request.method.rawValue, path: request.uri.path, status: Int(status.code), reason: failure.message)
                metrics.denied(status: Int(status.code))
            }
            let text = Array(BoardTemplates.render(Self.values(failure, status), status.code == 401 ? "login" : "error").utf8)
            var headers: HTTPFields = [.cacheControl: "no-store"]
            if status.code == 401 { headers[.setCookie] = BoardSession.setCookie(nil, secure: BoardController.secure(request)) }
            return Responses.bytes(text, status: status, contentType: "text/html; charset=utf-8", headers: headers)
        }
    }

    static func values(_ failure: APIError, _ status: HTTPResponse.Status) -> [String: Any] {
        let heading = switch status.code {
        case 401: "Sign in"
        case 403: "Not allowed"
        case 404: "Not found"
        case 409: "Refused"
        default: status.code >= 500 ? "Something went wrong" : "Cannot do that"
        }
        return ["title": heading, "heading": heading, "message": failure.message, "error": failure.message, "back": "/ui/"]
    }
}
