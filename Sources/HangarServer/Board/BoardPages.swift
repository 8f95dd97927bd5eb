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

    /// The confirmation page of `action` (promote or rollback) of `ref` in `env`.
    func confirmURL(_ action: String, env: String, ref: String) -> String {
        url("confirm") + "?action=\(action)&env=\(Self.q(env))&ref=\(Self.q(ref))"
    }

    static func time(_ date: Date) -> String { Timestamp.format(date) }

    /// A query parameter value.
    static func q(_ text: String) -> String { PercentEncoding.unreserved(text) }
}
