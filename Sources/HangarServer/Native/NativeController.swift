import HangarCore
import Hummingbird

/// The native API under `/api/v1`: JSON bodies of the core's Codable types, dates in
/// ISO 8601 UTC with milliseconds, every change recorded under the caller's token name.
struct NativeController: Sendable {
    let state: ServerState

    func register(on router: some RouterMethods<HangarRequestContext>) {
        let projects = ProjectEndpoints(state: state), admin = AdminEndpoints(state: state)
        router.get("/api/v1/projects") { request, context in try await projects.list(request, context) }
        router.post("/api/v1/projects") { request, context in try await projects.create(request, context) }
        for method: HTTPRequest.Method in [.get, .post, .put, .patch] {
            router.on("/api/v1/projects/**", method: method) { request, context in try await dispatch(request, context) }
        }
        router.get("/api/v1/audit") { request, context in try await admin.audit(request, context) }
        router.get("/api/v1/audit/verify") { request, context in try await admin.verify(request, context) }
        let auditor = AuditorEndpoints(state: state)
        router.get("/api/v1/audit/checkpoint") { request, context in try await auditor.checkpoint(request, context) }
        router.get("/api/v1/audit/key") { request, context in try await auditor.key(request, context) }
        router.get("/api/v1/audit/proofs/inclusion") { request, context in try await auditor.inclusion(request, context) }
        router.get("/api/v1/audit/proofs/consistency") { request, context in try await auditor.consistency(request, context) }
        router.get("/api/v1/security-log") { request, context in try await admin.securityLog(request, context) }
        router.get("/api/v1/tokens") { request, context in try await admin.tokens(request, context) }
        router.post("/api/v1/tokens") { request, context in try await admin.createToken(request, context) }
        router.delete("/api/v1/tokens/{id}") { request, context in try await admin.revokeToken(request, context) }
        router.get("/api/v1/whoami") { request, context in try await admin.whoami(request, context) }
    }

    /// Routes `/api/v1/projects/<name>/-/…` by the parsed path and method.
    func dispatch(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let (project, route) = try ProjectRoute.parse(request.uri.path)
        context.record.route = route.pattern
        let projects = ProjectEndpoints(state: state), releases = ReleaseEndpoints(state: state)
        let p = project
        switch (route, request.method) {
        case (.info, .get): return try await projects.info(request, context, p)
        case (.settings, .patch): return try await projects.settings(request, context, p)
        case (.policy(let e), .put): return try await projects.policy(request, context, p, e)
        case (.status, .get): return try await projects.status(request, context, p)
        case (.history, .get): return try await projects.history(request, context, p)
        case (.watch(let e), .get): return try await projects.watch(request, context, p, e)
        case (.candidates, .post): return try await releases.cut(request, context, p, cherryPick: false)
        case (.cherryPicks, .post): return try await releases.cut(request, context, p, cherryPick: true)
        case (.candidate(let ref), .get): return try await releases.show(request, context, p, ref)
        case (.diff, .get): return try await releases.diff(request, context, p)
        case (.promote(let e), .post): return try await releases.promote(request, context, p, e)
        case (.rollback(let e), .post): return try await releases.rollback(request, context, p, e)
        case (.approvals(let e), .post): return try await releases.approve(request, context, p, e)
        case (.reports(let id), .post): return try await releases.report(request, context, p, id)
        case (.evidence(let ref), .get): return try await AuditorEndpoints(state: state).evidence(request, context, p, ref)
        case (.verification(let ref), .get): return try await AuditorEndpoints(state: state).verification(request, context, p, ref)
        case (.at, .get): return try await AuditorEndpoints(state: state).at(request, context, p)
        default:
            throw APIError.unsupported("\(request.method.rawValue) is not supported on \(route.pattern)")
        }
    }
}
