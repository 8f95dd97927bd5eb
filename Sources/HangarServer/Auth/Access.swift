import HangarCore
import Hummingbird
import Logging

/// The one gate between a caller and an action: role rules come from
/// `Authorization.check`; a refusal is answered 401 (no credentials: the client should
/// log in) or 403 (the token may not), and recorded as an `access.denied` audit entry
/// naming the method, path, action and caller.
struct Access: Sendable {
    let service: HangarService
    let metrics: ServerMetrics

    /// Returns when `caller` may do `action` on `project` (in `environment`); otherwise
    /// audits the refusal and throws.
    func require(_ caller: Caller, _ action: Authorization.Action, project: String?, environment: String? = nil,
                 request: Request, logger: Logger) async throws {
        let refusal: HangarError
        if let token = caller.token, !(caller.isAnonymous && action != .read) {
            do {
                try Authorization.check(token, action, project: project, environment: environment)
                return
            } catch let e as HangarError where e.kind == .denied {
                refusal = caller.isAnonymous ? Self.loginRequired(action) : e
            }
        } else {
            refusal = Self.loginRequired(action)
        }
        await recordDenied(caller: caller, request: request, project: project, reason: refusal.message,
                           action: action.rawValue, logger: logger)
        metrics.denied(status: refusal.kind == .unauthorized ? 401 : 403)
        throw refusal
    }

    /// Whether `caller` may do `action`, without auditing (for optional paths such as a
    /// cross-repository mount, which falls back to a plain upload when not allowed).
    func allows(_ caller: Caller, _ action: Authorization.Action, project: String?) -> Bool {
        guard let token = caller.token, !(caller.isAnonymous && action != .read) else { return false }
        return (try? Authorization.check(token, action, project: project, environment: nil)) != nil
    }

    /// Appends an `access.denied` entry. A failure to write it is logged, not thrown: the
    /// request is refused either way.
    func recordDenied(caller: Caller, request: Request, project: String?, reason: String, action: String?,
                      logger: Logger) async {
        var details = ["method": request.method.rawValue, "path": request.uri.path, "reason": reason]
        details["action"] = action
        if !caller.isAnonymous, let id = caller.token?.id { details["token"] = id }
        let draft = AuditDraft(at: service.now(), actor: caller.name, action: .accessDenied, project: project,
                               subject: "\(request.method.rawValue) \(request.uri.path)", details: details)
        do {
            try await service.metadata.appendAudit([draft])
        } catch {
            logger.error("could not record access.denied", metadata: ["error": .string("\(error)")])
        }
    }

    static func loginRequired(_ action: Authorization.Action) -> HangarError {
        HangarError(.unauthorized, "authentication required to \(action): present a Hangar token "
            + "(Authorization: Bearer hgr_…, or Basic with the token as the password)")
    }
}
