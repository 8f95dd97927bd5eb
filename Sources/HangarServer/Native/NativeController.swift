import HangarCore
import Hummingbird

/// The native API under `/api/v1`: JSON bodies of the core's Codable types, dates in
/// ISO 8601 UTC with milliseconds, every change recorded under the caller's token name.
struct NativeController: Sendable {
    let state: ServerState

    /// The endpoints outside project paths: what `register` registers (the route-coverage
    /// test walks this table).
    static let endpoints: [Endpoint] = [
        .init(.get, "/api/v1/projects"), .init(.post, "/api/v1/projects"),
        .init(.get, "/api/v1/audit"), .init(.get, "/api/v1/audit/verify"), .init(.get, "/api/v1/audit/checkpoint"),
        .init(.get, "/api/v1/audit/key"), .init(.get, "/api/v1/audit/proofs/inclusion"),
        .init(.get, "/api/v1/audit/proofs/consistency"), .init(.get, "/api/v1/security-log"),
        .init(.get, "/api/v1/tokens"), .init(.post, "/api/v1/tokens"), .init(.delete, "/api/v1/tokens/{id}"),
        .init(.get, "/api/v1/whoami"), .init(.post, "/api/v1/gc"),
    ]

    func register(on router: some RouterMethods<HangarRequestContext>) {
        for endpoint in Self.endpoints {
            router.on(RouterPath(endpoint.pattern), method: endpoint.method) { request, context in
                try await handle(endpoint, request, context)
            }
        }
        for method: HTTPRequest.Method in [.get, .post, .put, .patch] {
            router.on("/api/v1/projects/**", method: method) { request, context in try await dispatch(request, context) }
        }
    }

    private func handle(_ endpoint: Endpoint, _ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let projects = ProjectEndpoints(state: state), admin = AdminEndpoints(state: state), auditor = AuditorEndpoints(state: state)
        switch (endpoint.method, endpoint.pattern) {
        case (.get, "/api/v1/projects"): return try await projects.list(request, context)
        case (.post, "/api/v1/projects"): return try await projects.create(request, context)
        case (.get, "/api/v1/audit"): return try await admin.audit(request, context)
        case (.get, "/api/v1/audit/verify"): return try await admin.verify(request, context)
        case (.get, "/api/v1/audit/checkpoint"): return try await auditor.checkpoint(request, context)
        case (.get, "/api/v1/audit/key"): return try await auditor.key(request, context)
        case (.get, "/api/v1/audit/proofs/inclusion"): return try await auditor.inclusion(request, context)
        case (.get, "/api/v1/audit/proofs/consistency"): return try await auditor.consistency(request, context)
        case (.get, "/api/v1/security-log"): return try await admin.securityLog(request, context)
        case (.get, "/api/v1/tokens"): return try await admin.tokens(request, context)
        case (.post, "/api/v1/tokens"): return try await admin.createToken(request, context)
        case (.delete, "/api/v1/tokens/{id}"): return try await admin.revokeToken(request, context)
        case (.get, "/api/v1/whoami"): return try await admin.whoami(request, context)
        case (.post, "/api/v1/gc"): return try await admin.collect(request, context)
        default: throw HangarError(.internal, "endpoint \(endpoint) is in the table but has no handler")
        }
    }

    /// Routes `/api/v1/projects/<name>/-/…` by the parsed path and method.
    func dispatch(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let (project, route) = try ProjectRoute.parse(request.uri.path)
        context.record.route = route.pattern
        guard route.methods.contains(request.method) else {
            try state.operations(context).authorize(.read, project: project)
            throw APIError.unsupported("\(request.method.rawValue) is not supported on \(route.pattern)",
                                      allow: route.methods)
        }
        let projects = ProjectEndpoints(state: state), releases = ReleaseEndpoints(state: state)
        let p = project
        switch (route, request.method) {
        case (.info, .get): return try await projects.info(request, context, p)
        case (.settings, .patch): return try await projects.settings(request, context, p)
        case (.policy(let e), .put): return try await projects.policy(request, context, p, e)
        case (.status, .get): return try await projects.status(request, context, p)
        case (.history, .get): return try await projects.history(request, context, p)
        case (.watch(let e), .get): return try await projects.watch(request, context, p, e)
        case (.candidates, .get): return try await projects.candidates(request, context, p)
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
        case (.retention, .get): return try Responses.json(try await state.operations(context).retentionRules(p))
        case (.retention, .put): return try await projects.retention(request, context, p)
        default:
            throw HangarError(.internal, "\(request.method.rawValue) \(route.pattern) is allowed but has no handler")
        }
    }
}
