import HangarCore
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: gives it an id (`X-Request-Id` in and out),
/// turns any failure into the OCI error body through `APIError` (so metrics and logs see
/// the real status), counts every refusal (401, 403) in the security log, whichever layer
/// refused (the core's authorization, a protection rule, bad credentials), counts and
/// times the request, and logs one structured line.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = HangarRequestContext
    let metrics: ServerMetrics
    let securityLog: SecurityLog
    /// The longest request target (path and query) served; longer ones are refused (400).
    let maxPathBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.requestID(request.headers[.requestID]) ?? context.id
        context.logger[metadataKey: "request.id"] = .string(context.requestID)
        let start = ContinuousClock.now
        var response: Response
        do {
            let target = request.uri.string.utf8.count
            guard target <= maxPathBytes else {
                throw HangarError.invalid("request path and query are \(target) bytes, over the limit of \(maxPathBytes) (max-path-bytes)")
            }
            response = try await next(request, context)
        } catch {
            let failure = APIError(error, scope: .native)
            if failure.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(failure.description)])
            }
            response = try failure.response(from: request, context: context)
            let status = response.status.code
            if status == 401 || status == 403 {
                await securityLog.record(actor: context.record.caller, tokenID: context.record.tokenID, address: context.remoteAddress,
                                         method: request.method.rawValue, path: request.uri.path, status: status, reason: failure.message)
                metrics.denied(status: status)
            }
        }
        response.headers[.requestID] = context.requestID
        let duration = ContinuousClock.now - start
        let route = context.record.route ?? context.endpointPath ?? "unmatched"
        let bytesOut = Int64(response.body.contentLength ?? 0)
        metrics.request(method: request.method.rawValue, route: route, status: response.status.code,
                        duration: duration, bytesIn: context.record.bytesIn, bytesOut: bytesOut)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(SecurityEvent.pathPrefix(request.uri.path, segments: 8)),
            "status": .stringConvertible(response.status.code), "caller": .string(context.record.caller),
            "ms": .stringConvertible(duration.nanoseconds / 1_000_000), "route": .string(route),
        ])
        return response
    }

    /// A client's request id if it is a sane one (1–128 of `[A-Za-z0-9._:-]`), else nil.
    static func requestID(_ text: String?) -> String? {
        guard let text, (1...128).contains(text.utf8.count),
              text.utf8.allSatisfy({ c in
                  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
                      || c == 0x2e || c == 0x5f || c == 0x3a || c == 0x2d
              }) else { return nil }
        return text
    }
}
