import Foundation
import HangarCore

/// Turns the core's answers into the values the templates show: text, links, and which
/// buttons the caller gets. No decision is made here that the core does not make again
/// when the button is used.
struct BoardPages {
    let project: String
    let csrf: String

    func url(_ page: String) -> String { BoardRoute.path(project, page) }

    func candidateURL(_ c: CandidateRecord) -> String { url("candidates/" + c.tag) }

    /// The grid of `BoardView`, grouped by version (newest first).
    func grid(_ b: BoardView, filtered: Bool) -> [String: Any] {
        let columns: [[String: Any]] = b.columns.map { col in
            var out: [String: Any] = ["name": col.name]
            if let c = col.current {
                out["current"] = ["env": col.name, "tag": c.tag, "url": candidateURL(c), "since": col.since.map(Self.time) ?? "",
                                  "by": col.by ?? ""]
            }
            if let r = col.report { out["report"] = report(r, env: col.name) }
            if col.mayRollback, let back = col.rollbackTo {
                out["rollback"] = ["env": col.name, "tag": back.tag,
                                   "url": url("confirm") + "?action=rollback&env=\(Self.q(col.name))&ref=\(Self.q(back.digest.description))"]
            }
            return out
        }
        var groups: [[String: Any]] = []
        for row in b.rows {
            let c = row.candidate
            let r: [String: Any] = [
                "tag": c.tag, "url": candidateURL(c), "short": "sha256:" + c.digest.short, "commit": String(c.commit.prefix(12)),
                "createdBy": c.createdBy, "parent": c.parent == nil ? [] : [b.rows.first { $0.candidate.digest == c.parent }?.candidate.tag ?? "rc before"],
                "cells": row.cells.map { cell($0, c, mayForce: b.mayForce) },
            ]
            if let last = groups.last, last["version"] as? String == c.version {
                groups[groups.count - 1]["rows"] = (last["rows"] as? [[String: Any]] ?? []) + [r]
            } else {
                groups.append(["version": c.version, "span": b.columns.count + 1, "rows": [r]])
            }
        }
        return ["columns": columns, "groups": groups, "filtered": filtered, "at": Self.time(b.at), "eventsURL": url("events"),
                "fingerprint": Self.fingerprint(b)]
    }

    private func cell(_ cell: BoardView.Cell, _ c: CandidateRecord, mayForce: Bool) -> [String: Any] {
        var out: [String: Any] = ["tag": c.tag, "env": cell.environment, "presence": cell.presence.rawValue]
        switch cell.presence {
        case .current: out["state"] = "▶ runs here"
        case .before: out["state"] = "ran here " + (cell.firstArrived.map { "from " + Self.time($0) } ?? "")
        case .rolledBack: out["state"] = "rolled back from"
        case .never: out["state"] = "—"
        }
        if let r = cell.report { out["report"] = report(r, env: cell.environment) }
        if cell.requiredApprovals > 0 && cell.presence != .current {
            out["approvals"] = ["count": cell.approvals.count, "required": cell.requiredApprovals, "names": cell.approvals.isEmpty ? [] : [cell.approvals.joined(separator: ", ")]]
        }
        let confirm = url("confirm") + "?action=promote&env=\(Self.q(cell.environment))&ref=\(Self.q(c.digest.description))"
        if let verdict = cell.verdict {
            if verdict.isEmpty {
                out["promote"] = ["url": confirm]
            } else {
                var blocked: [String: Any] = ["reasons": verdict.map(\.message)]
                if mayForce { blocked["forceURL"] = confirm }
                out["blocked"] = blocked
            }
        }
        if cell.mayApprove {
            out["approve"] = ["action": url("approve"), "csrf": csrf, "digest": c.digest.description]
        }
        return out
    }

    private func report(_ r: DeploymentReport, env: String) -> [String: Any] {
        var label = "agent \(r.agent): \(r.status.rawValue)"
        if r.status == .failed, let m = r.message { label += " (\(m.prefix(120)))" }
        return ["status": r.status.rawValue, "label": label, "env": env]
    }

    /// Changes when anything the grid shows changes: what the live script compares.
    static func fingerprint(_ b: BoardView) -> String {
        var text = b.columns.map { "\($0.name)=\($0.generation):\($0.report.map { "\($0.status.rawValue)@\($0.at.timeIntervalSince1970)" } ?? "")" }
        text.append(b.rows.first?.candidate.digest.description ?? "")
        text.append(b.rows.map { $0.cells.map { String($0.approvals.count) }.joined() }.joined(separator: "|"))
        return SHA256Hasher.digest(Array(text.joined(separator: ";").utf8)).short
    }

    static func time(_ date: Date) -> String { Timestamp.format(date) }

    /// A query parameter value.
    static func q(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
