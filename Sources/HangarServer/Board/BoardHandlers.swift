import Foundation
import HangarCore
import Hummingbird
import ServiceLifecycle

/// The pages and actions of one project's board, for one request.
struct BoardHandlers {
    let controller: BoardController
    let project: String
    let request: Request
    let context: HangarRequestContext
    let ops: Operations
    let pages: BoardPages
    let query: [String: String]

    init(controller: BoardController, project: String, request: Request, context: HangarRequestContext) {
        self.controller = controller
        self.project = project
        self.request = request
        self.context = context
        ops = controller.state.operations(context)
        pages = BoardPages(project: project, csrf: BoardSession.secret(request).map(BoardSession.csrf) ?? "")
        query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
    }

    static let defaultLimit = 100

    /// How many of the newest candidates the board shows: `?limit=` (1 to 1000), else 100.
    var limit: Int {
        get throws {
            guard let text = query["limit"] else { return Self.defaultLimit }
            guard let n = Int(text), (1...1000).contains(n) else { throw HangarError.invalid("limit='\(text.prefix(20))' is not a number from 1 to 1000") }
            return n
        }
    }

    func board() async throws -> Response {
        let version = query["version"].flatMap { $0.isEmpty ? nil : $0 }
        let running = query["running"] == "1"
        let limit = try self.limit
        let full = try await ops.board(project, candidates: limit)
        let shown = full.filtered(version: version, runningOnly: running)
        let grid = BoardGrid(pages: pages, view: shown, all: full, filtered: version != nil || running, limit: limit)
        var values: [String: Any] = ["grid": grid.render()]
        values["title"] = project
        values["project"] = project
        values["boardURL"] = pages.url("board")
        values["historyURL"] = pages.url("history")
        values["runningOnly"] = running
        values["limit"] = limit == Self.defaultLimit ? [] : [String(limit)]
        values["versions"] = full.versions.map { ["name": $0, "selected": $0 == version] }
        return try controller.page(request, context, "board", values)
    }

    /// The step between a button and a move: names from → to and shows the verdict the
    /// core's `Policy` gives now; the form it holds makes the move.
    func confirm() async throws -> Response {
        let action = query["action"] == "rollback" ? "rollback" : "promote"
        guard let env = query["env"], let ref = query["ref"] else { throw HangarError.invalid("confirm needs env and ref") }
        let view = try await ops.board(project, candidates: 1000)
        guard let column = view.columns.first(where: { $0.name == env }) else {
            throw HangarError.notFound("environment \(env) of \(project) does not exist")
        }
        let target = try await ops.resolve(project, ref)
        let cell = view.rows.first { $0.candidate.digest == target.digest }?.cells.first { $0.environment == env }
        let reasons = action == "promote" ? (cell?.verdict ?? []).map(\.message) : []
        let allowed = action == "promote" ? cell?.verdict != nil : column.mayRollback
        let values: [String: Any] = [
            "title": "Confirm", "heading": action == "promote" ? "Promote \(target.tag) to \(env)?" : "Roll \(env) back to \(target.tag)?",
            "env": env, "fromTag": column.current?.tag ?? "nothing", "toTag": target.tag, "ref": target.digest.description,
            "blocked": reasons.isEmpty ? [] : [["reasons": reasons, "env": env]], "reasons": reasons, "mayForce": view.mayForce,
            "canSubmit": allowed && (reasons.isEmpty || view.mayForce), "verb": action == "promote" ? "Promote" : "Roll back",
            "action": pages.url(action), "back": pages.url("board"),
        ]
        return try controller.page(request, context, "confirm", values)
    }

    /// A promotion, rollback or approval from a form: CSRF checked, then the same core
    /// operation as the CLI's, audited under the session's token.
    func act(_ route: BoardRoute) async throws -> Response {
        let form = try await FormBody.decode(request)
        try BoardSession.checkCSRF(form, request)
        guard let env = form["env"], !env.isEmpty, let ref = form["ref"], !ref.isEmpty else {
            throw HangarError.invalid("the form needs env and ref")
        }
        let options = MoveOptions(force: form["force"] == "1", reason: form["reason"])
        let notice: String
        switch route {
        case .promote:
            let outcome = try await ops.promote(project, ref: ref, to: env, options: options)
            notice = outcome.noop ? "\(env) already runs \(outcome.candidate.tag)" : "\(env) now runs \(outcome.candidate.tag)"
        case .rollback:
            let outcome = try await ops.rollback(project, environment: env, to: ref, options: options)
            notice = "\(env) rolled back to \(outcome.candidate.tag)"
        default:
            let approval = try await ops.approve(project, ref: ref, environment: env, comment: form["comment"])
            notice = "approved for \(approval.environment) by \(approval.actor)"
        }
        return Response(status: .seeOther, headers: [.location: pages.url("board") + "?notice=" + BoardPages.q(notice)])
    }

    func candidate(_ ref: String) async throws -> Response {
        let d = try await ops.show(project, ref: ref)
        let c = d.candidate
        let lineage = try await ops.candidates(project, version: c.version, limit: 100).reversed()
        let moves = try await ops.history(project, environment: nil, limit: 500).filter { $0.deployment.to == c.digest }
        var diffs: [[String: Any]] = []
        if let parent = d.parentTag { diffs.append(try await diff("its parent", parent, c)) }
        if let prod = try await ops.status(project).last, let running = prod.tag, running != c.tag {
            diffs.append(try await diff("what \(prod.environment) runs", running, c))
        }
        let signature: String, signatureClass: String
        do {
            let report = try await ops.verifyCandidate(project, ref: c.digest.description, key: try await ops.publicKey())
            signature = report.ok ? "verified with the store's key (\(report.checks.count) checks)"
                : "FAILED: " + report.checks.filter { !$0.ok }.map(\.check).joined(separator: ", ")
            signatureClass = report.ok ? "report succeeded" : "report failed"
        } catch let error as HangarError where error.kind == .denied || error.kind == .unauthorized {
            (signature, signatureClass) = ("visible to auditors", "muted")
        }
        let snapshotApprovals = try await ops.snapshot(project, candidates: 200, deployments: 0).approvals.filter { $0.candidate == c.digest }
        var values: [String: Any] = [
            "title": "\(project) \(c.tag)", "project": project, "tag": c.tag, "digest": c.digest.description, "commit": c.commit,
            "created": BoardPages.time(c.createdAt), "createdBy": c.createdBy,
            "lineage": lineage.enumerated().map { i, l in
                ["tag": l.tag, "url": pages.url("candidates/" + l.tag), "this": l.digest == c.digest, "last": i == lineage.count - 1] as [String: Any]
            },
            "cherryPicks": c.cherryPicks, "runningIn": d.runningIn.isEmpty ? "nowhere now" : d.runningIn.joined(separator: ", "),
            "signature": signature, "signatureClass": signatureClass,
            "artifacts": c.artifacts.map { ["name": $0.name, "digest": $0.digest.description, "size": Self.bytes($0.size), "mediaType": $0.mediaType] },
            "diffs": diffs, "boardURL": pages.url("board"),
            "moves": moves.map { ["at": BoardPages.time($0.deployment.at), "env": $0.deployment.environment, "kind": $0.deployment.kind.rawValue,
                                  "actor": $0.deployment.actor] },
            "approvals": snapshotApprovals.map { ["env": $0.environment, "actor": $0.actor, "at": BoardPages.time($0.at)] },
        ]
        if let repository = d.config.repository { values["commitURL"] = "\(repository)/commit/\(c.commit)" }
        if let log = d.config.changelog {
            values["changes"] = ["since": d.changelogSinceTag ?? "the previous candidate",
                                 "commits": log.commits.map { ["short": String($0.commit.prefix(12)), "subject": $0.subject] }]
        }
        return try controller.page(request, context, "candidate", values)
    }

    private func diff(_ label: String, _ other: String, _ c: CandidateRecord) async throws -> [String: Any] {
        let d = try await ops.diff(project, from: other, to: c.digest.description)
        return ["label": label, "other": other, "artifacts": d.artifacts.map { ["name": $0.name, "change": $0.change] }]
    }

    func history() async throws -> Response {
        let env = query["env"].flatMap { $0.isEmpty ? nil : $0 }
        let at = try query["at"].flatMap { $0.isEmpty ? nil : $0 }.map(Timestamp.parse)
        let rows = try await ops.history(project, environment: env, at: at, limit: 200)
        let environments = try await ops.status(project).map(\.environment)
        var values: [String: Any] = [
            "title": "\(project) history", "project": project, "historyURL": pages.url("history"), "boardURL": pages.url("board"),
            "at": query["at"] ?? "", "environments": environments.map { ["name": $0, "selected": $0 == env] },
            "moves": rows.map { h -> [String: Any] in
                let d = h.deployment
                return ["at": BoardPages.time(d.at), "env": d.environment, "kind": d.kind.rawValue + (d.overridden.isEmpty ? "" : " (forced)"),
                        "from": h.fromTag ?? "—", "to": h.toTag ?? d.to.short, "actor": d.actor, "reason": d.reason ?? "",
                        "reports": h.reports.first.map { "\($0.agent): \($0.status.rawValue)" } ?? ""]
            },
        ]
        if let at, let env {
            values["atAnswer"] = rows.first.map { "At \(BoardPages.time(at)) \(env) ran \($0.toTag ?? $0.deployment.to.description)" }
                ?? "At \(BoardPages.time(at)) \(env) ran nothing yet"
        }
        return try controller.page(request, context, "history", values)
    }

    /// Server-Sent Events: `change` whenever the board's fingerprint changes. Waits on the
    /// process's change signal (bounded, for moves made by other servers), never a tight
    /// loop; at most `max-watchers` streams at once, each for ten minutes (the browser
    /// reconnects).
    func events() async throws -> Response {
        let ops = self.ops, project = self.project, state = controller.state, limit = try self.limit
        _ = try await ops.board(project, candidates: 1)  // refused before the stream starts
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
            // Ends when the server shuts down: an open board must not hold a restart for
            // the stream's ten minutes (the browser reconnects to whichever server answers).
            try? await withGracefulShutdownHandler { try await state.watchers.run(retryAfter: 5) {
                var last = BoardGrid.fingerprint(try await ops.board(project, candidates: limit))
                let end = ContinuousClock.now + .seconds(600)
                while ContinuousClock.now < end && !Task.isShuttingDownGracefully {
                    await state.service.changes.wait(project: project, timeout: .seconds(15))
                    let now = BoardGrid.fingerprint(try await ops.board(project, candidates: limit))
                    let line = now == last ? ": still\n\n" : "event: change\ndata: \(now)\n\n"
                    last = now
                    try await writer.write(ByteBuffer(string: line))
                }
            } } onGracefulShutdown: {
                state.service.changes.changed(project: project)  // wakes the wait above
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    static func bytes(_ n: Int64) -> String {
        n < 1024 ? "\(n) B" : n < 1 << 20 ? String(format: "%.1f KiB", Double(n) / 1024) : String(format: "%.1f MiB", Double(n) / 1_048_576)
    }
}
