import Foundation
import HangarCore

/// The board's grid (`#board`): environments × candidates, written as HTML directly.
/// It is the one part of a page that grows with the project: 3,000 cells at 500 candidates
/// × 6 environments. Rendered through Mustache, which looks each name up through the
/// context stack and casts every value from `Any`, it took 115 ms of a 165 ms page; the
/// pages around it stay templates. Every value goes through `HTML`'s escaping.
struct BoardGrid {
    let pages: BoardPages
    let view: BoardView
    /// Tags of the candidates' parents (a cherry-pick names the candidate it was made onto).
    let parents: [Digest: String]
    let filtered: Bool
    /// Where the page listens for changes (the same number of candidates as shown).
    let eventsURL: String
    /// Per environment, the confirmation link of a promotion there without its `ref`:
    /// made once per column, not once per cell.
    let promoteURLs: [String: String]

    init(pages: BoardPages, view: BoardView, all: BoardView, filtered: Bool, limit: Int) {
        self.pages = pages
        self.eventsURL = pages.url("events") + (limit == BoardHandlers.defaultLimit ? "" : "?limit=\(limit)")
        self.view = view
        self.parents = Dictionary(all.rows.map { ($0.candidate.digest, $0.candidate.tag) }, uniquingKeysWith: { a, _ in a })
        self.filtered = filtered
        self.promoteURLs = Dictionary(view.columns.map { ($0.name, pages.confirmURL("promote", env: $0.name, ref: "")) },
                                      uniquingKeysWith: { a, _ in a })
    }

    func render() -> String {
        var h = HTML(capacity: 2048 + view.rows.count * view.columns.count * 320)
        h.write("""
            <div id="board" data-events="\(eventsURL)" data-fingerprint="\(Self.fingerprint(view))" aria-live="polite">
            <table class="board"><caption>Candidates (newest first) by environment; ▶ marks what each environment runs now.</caption>
            <thead><tr><th scope="col">Candidate</th>
            """)
        for column in view.columns { head(column, &h) }
        h.write("</tr></thead>\n<tbody>")
        var version: String?
        for row in view.rows {
            if row.candidate.version != version {
                version = row.candidate.version
                h.write("<tr class=\"version\"><th colspan=\"\(view.columns.count + 1)\" scope=\"rowgroup\">\(row.candidate.version)</th></tr>\n")
            }
            self.row(row, &h)
        }
        h.write("</tbody></table>\n")
        if view.rows.isEmpty { h.write(filtered ? "<p>No candidates match the filter.</p>\n" : "<p>No candidates.</p>\n") }
        h.write("<p class=\"muted small\">As of \(BoardPages.time(view.at)); updates live.</p></div>")
        return h.output
    }

    private func head(_ column: BoardView.Column, _ h: inout HTML) {
        let env = column.name
        h.write("<th scope=\"col\" class=\"env\"><div class=\"env-name\">\(env)</div>")
        if let c = column.current {
            h.write("""
                <div class="pointer" data-testid="pointer-\(env)">▶ <a href="\(pages.candidateURL(c))">\(c.tag)</a></div>\
                <div class="muted small">since \(column.since.map(BoardPages.time) ?? "") by \(column.by ?? "")</div>
                """)
        } else {
            h.write("<div class=\"muted\" data-testid=\"pointer-\(env)\">nothing yet</div>")
        }
        if let r = column.report {
            h.write("<div class=\"report \(r.status.rawValue)\" data-testid=\"report-\(env)\">\(Self.label(r))</div>")
        }
        if column.mayRollback, let back = column.rollbackTo {
            h.write("""
                <a class="button danger" href="\(pages.confirmURL("rollback", env: env, ref: back.tag))" data-testid="rollback-\(env)">\
                Roll back to \(back.tag)</a>
                """)
        }
        h.write("</th>")
    }

    private func row(_ row: BoardView.Row, _ h: inout HTML) {
        let c = row.candidate
        h.write("""
            <tr data-tag="\(c.tag)"><th scope="row"><a href="\(pages.candidateURL(c))">\(c.tag)</a>\
            <div class="muted small"><code>sha256:\(c.digest.short)</code> · \(String(c.commit.prefix(12))) · \(c.createdBy)</div>
            """)
        if let parent = c.parent { h.write("<div class=\"small\">cherry-pick onto \(parents[parent] ?? "the rc before")</div>") }
        h.write("</th>")
        for cell in row.cells { self.cell(cell, c, &h) }
        h.write("</tr>\n")
    }

    private func cell(_ cell: BoardView.Cell, _ c: CandidateRecord, _ h: inout HTML) {
        let env = cell.environment
        h.write("<td class=\"cell \(cell.presence.rawValue)\" data-testid=\"cell-\(c.tag)-\(env)\"><span class=\"state\">\(Self.state(cell))</span>")
        if let r = cell.report { h.write("<div class=\"report \(r.status.rawValue)\">\(Self.label(r))</div>") }
        if cell.requiredApprovals > 0 && cell.presence != .current {
            let names = cell.approvals.isEmpty ? "" : " (" + cell.approvals.joined(separator: ", ") + ")"
            h.write("<div class=\"small\">approvals \(cell.approvals.count)/\(cell.requiredApprovals)\(names)</div>")
        }
        if let verdict = cell.verdict {
            let confirm = (promoteURLs[env] ?? "") + BoardPages.q(c.tag)
            if verdict.isEmpty {
                h.write("<a class=\"button\" href=\"\(confirm)\" data-testid=\"promote-\(c.tag)-\(env)\">Promote</a>")
            } else {
                h.write("<div class=\"blocked\" data-testid=\"blocked-\(c.tag)-\(env)\">")
                for violation in verdict { h.write("<div>\(violation.message)</div>") }
                h.write("</div>")
                if view.mayForce { h.write("<a class=\"button subtle\" href=\"\(confirm)\">Force…</a>") }
            }
        }
        if cell.mayApprove {
            h.write("""
                <form method="post" action="\(pages.url("approve"))"><input type="hidden" name="csrf" value="\(pages.csrf)">\
                <input type="hidden" name="ref" value="\(c.digest.description)"><input type="hidden" name="env" value="\(env)">\
                <button type="submit" data-testid="approve-\(c.tag)-\(env)">Approve</button></form>
                """)
        }
        h.write("</td>")
    }

    private static func state(_ cell: BoardView.Cell) -> String {
        switch cell.presence {
        case .current: return "▶ runs here"
        case .before: return "ran here " + (cell.firstArrived.map { "from " + BoardPages.time($0) } ?? "")
        case .rolledBack: return "rolled back from"
        case .never: return "—"
        }
    }

    private static func label(_ r: DeploymentReport) -> String {
        var label = "\(r.agent): \(r.status.rawValue)"
        if r.status == .failed, let m = r.message { label += " (\(m.prefix(120)))" }
        return label
    }

    /// Changes when anything the grid shows changes: what the live script compares.
    static func fingerprint(_ b: BoardView) -> String {
        var text = b.columns.map { "\($0.name)=\($0.generation):\($0.report.map { "\($0.status.rawValue)@\($0.at.timeIntervalSince1970)" } ?? "")" }
        text.append(b.rows.first?.candidate.digest.description ?? "")
        text.append(b.rows.map { $0.cells.map { String($0.approvals.count) }.joined() }.joined(separator: "|"))
        return SHA256Hasher.digest(Array(text.joined(separator: ";").utf8)).short
    }
}
