import Foundation
import HangarCore
import Hummingbird

/// The release board at `/` and `/ui/…`: server-rendered pages over the same core
/// `Operations` as the JSON API, acting for the session's token with the same checks.
/// Every button is a link to a confirmation page or a form with the session's CSRF token;
/// the core refuses what the caller may not do whatever the page showed.
struct BoardController: Sendable {
    let state: ServerState

    func register(on router: Router<HangarRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/ui/"]) }
        router.get("/ui/assets/board.css") { _, _ in Responses.bytes(Array(BoardAssets.css.utf8), contentType: "text/css; charset=utf-8") }
        router.get("/ui/assets/board.js") { _, _ in Responses.bytes(Array(BoardAssets.js.utf8), contentType: "text/javascript; charset=utf-8") }
        router.get("/ui/login") { request, context in try page(request, context, "login", ["title": "Sign in"]) }
        router.post("/ui/login") { request, context in try await signIn(request, context) }
        let pages = router.group().add(middleware: BoardErrorMiddleware(securityLog: state.securityLog, metrics: state.metrics))
            .add(middleware: AuthMiddleware(service: state.service, anonymousRead: state.configuration.anonymousRead, secret: BoardSession.secret))
        pages.get("/ui") { request, context in try await projects(request, context) }
        pages.get("/ui/audit") { request, context in try await audit(request, context) }
        pages.post("/ui/logout") { request, context in try await signOut(request, context) }
        pages.get("/ui/projects/**") { request, context in try await dispatch(request, context) }
        pages.post("/ui/projects/**") { request, context in try await dispatch(request, context) }
    }

    /// A rendered page with the header's facts about the caller.
    func page(_ request: Request, _ context: HangarRequestContext, _ template: String, _ values: [String: Any],
              status: HTTPResponse.Status = .ok) throws -> Response {
        var all = values
        let caller = context.caller
        all["signedIn"] = !caller.isAnonymous
        all["who"] = caller.name
        all["role"] = caller.token?.role.rawValue ?? ""
        all["csrf"] = BoardSession.secret(request).map(BoardSession.csrf) ?? ""
        all["mayAudit"] = (try? caller.authorize(.audit, project: nil)) != nil
        if let notice = request.uri.queryParameters["notice"] { all["notice"] = String(notice.prefix(300)) }
        return Responses.bytes(Array(BoardTemplates.render(all, template).utf8), status: status, contentType: "text/html; charset=utf-8",
                               headers: [.cacheControl: "no-store", .init("Content-Security-Policy")!: "default-src 'self'; frame-ancestors 'none'"])
    }

    private func signIn(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let form = try await FormBody.decode(request)
        let secret = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try await state.service.authenticate(secret: secret)
        } catch let error as HangarError where error.kind == .unauthorized {
            await state.securityLog.record(actor: "anonymous", tokenID: nil, address: context.remoteAddress, method: "POST",
                                           path: "/ui/login", status: 401, reason: error.message)
            state.metrics.denied(status: 401)
            return try page(request, context, "login", ["title": "Sign in", "error": "That token was not accepted: \(error.message)"],
                            status: .unauthorized)
        }
        return Response(status: .seeOther, headers: [.location: "/ui/", .setCookie: BoardSession.setCookie(secret, secure: Self.secure(request))])
    }

    private func signOut(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try BoardSession.checkCSRF(try await FormBody.decode(request), request)
        return Response(status: .seeOther, headers: [.location: "/ui/login", .setCookie: BoardSession.setCookie(nil, secure: Self.secure(request))])
    }

    /// HTTPS as the client sees it (directly, or through a proxy that says so).
    static func secure(_ request: Request) -> Bool {
        request.uri.scheme?.rawValue == "https" || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private func projects(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        if context.caller.isAnonymous && !state.configuration.anonymousRead {
            return Response(status: .seeOther, headers: [.location: "/ui/login"])
        }
        let list = try await state.operations(context).projects()
        return try page(request, context, "projects", ["title": "Projects", "projects": list.map {
            ["name": $0.name, "url": BoardRoute.path($0.name, "board"), "mode": $0.singleStep ? "single-step" : "two-step"]
        }])
    }

    private func dispatch(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let (project, route) = try BoardRoute.parse(request.uri.path)
        guard route.isAction == (request.method == .post) else {
            throw HangarError.invalid("\(request.method.rawValue) is not how \(request.uri.path.prefix(200)) is used")
        }
        let handlers = BoardHandlers(controller: self, project: project, request: request, context: context)
        switch route {
        case .board: return try await handlers.board()
        case .candidate(let ref): return try await handlers.candidate(ref)
        case .history: return try await handlers.history()
        case .confirm: return try await handlers.confirm()
        case .events: return try await handlers.events()
        case .promote, .rollback, .approve: return try await handlers.act(route)
        }
    }

    private func audit(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        let q = request.uri.queryParameters
        let after = q["after"].flatMap { Int64($0) } ?? 0
        let entries = try await ops.auditLog(project: nil, after: max(0, after), limit: 100)
        let checkpoint = try await ops.checkpoint().checkpoint
        var values: [String: Any] = [
            "title": "Audit log",
            "checkpoint": ["size": checkpoint.size, "root": String(checkpoint.rootHash.prefix(16)) + "…", "time": BoardPages.time(checkpoint.time),
                           "origin": checkpoint.origin],
            "entries": entries.map { ["seq": $0.seq, "at": BoardPages.time($0.at), "actor": $0.actor, "action": $0.action,
                                      "project": $0.project ?? "", "subject": String(($0.subject ?? "").prefix(80))] as [String: Any] },
            "newer": entries.count == 100 ? ["/ui/audit?after=\(entries.last!.seq)"] : [],
        ]
        if q["verify"] == "1" {
            let v = try await ops.verifyAudit()
            values["verification"] = ["class": v.ok ? "ok" : "error",
                                      "text": v.ok ? "audit log intact: \(v.entries) entries, head \(v.head.prefix(16))…"
                                          : "audit log damaged: \(v.problems) problems (run hangar audit verify for each)"]
        }
        return try page(request, context, "audit", values)
    }
}
