import HangarCore
import Hummingbird
import Logging

/// The one gate between a caller and an action: role rules come from
/// `Authorization.check`; a refusal is answered 401 (no credentials: the client should
/// log in) or 403 (the token may not), and counted in the security log (not the audit
/// chain) by caller, address, method and path prefix.
struct Access: Sendable {
    let service: HangarService
    let metrics: ServerMetrics
    let securityLog: SecurityLog

    /// Returns when `caller` may do `action` on `project` (in `environment`); otherwise
    /// audits the refusal and throws.
    func require(_ caller: Caller, _ action: Authorization.Action, project: String?, environment: String? = nil,
                 request: Request, address: String) async throws {
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
        await recordDenied(caller: caller, request: request, status: refusal.kind == .unauthorized ? 401 : 403,
                           reason: refusal.message, address: address)
        metrics.denied(status: refusal.kind == .unauthorized ? 401 : 403)
        throw refusal
    }

    /// Whether `caller` may do `action`, without auditing (for optional paths such as a
    /// cross-repository mount, which falls back to a plain upload when not allowed).
    func allows(_ caller: Caller, _ action: Authorization.Action, project: String?) -> Bool {
        guard let token = caller.token, !(caller.isAnonymous && action != .read) else { return false }
        return (try? Authorization.check(token, action, project: project, environment: nil)) != nil
    }

    /// Counts the refusal in the security log (aggregated; written in the background).
    func recordDenied(caller: Caller, request: Request, status: Int, reason: String, address: String) async {
        await securityLog.record(actor: caller.name, tokenID: caller.isAnonymous ? nil : caller.token?.id, address: address,
                                 method: request.method.rawValue, path: request.uri.path, status: status, reason: reason)
    }

    static func loginRequired(_ action: Authorization.Action) -> HangarError {
        HangarError(.unauthorized, "authentication required to \(action): present a Hangar token "
            + "(Authorization: Bearer hgr_…, or Basic with the token as the password)")
    }
}
