import Foundation
import HangarCore

/// The one table that turns a server's error answer back into the `HangarError` kind the
/// server started from, so a command exits with the same code against a server as it
/// does on a local store.
///
/// The server answers errors as `{"errors":[{"code":"…","message":"…","detail":…}]}` with
/// a status per kind; a policy refusal and a conflict share 409 and are told apart by the
/// code (`DENIED` is a policy refusal).
public enum RemoteErrors {
    /// One row: a status, optionally narrowed to an error code, and the kind it means.
    public struct Row: Sendable, Hashable {
        public var status: Int
        /// When set, the row applies only to answers whose first error has this code.
        public var code: String?
        public var kind: HangarError.Kind
    }

    /// Rows with a code come before the row of the same status without one.
    public static let table: [Row] = [
        Row(status: 400, code: "DIGEST_INVALID", kind: .integrity),
        Row(status: 400, code: nil, kind: .invalidInput),
        Row(status: 401, code: nil, kind: .unauthorized),
        Row(status: 403, code: nil, kind: .denied),
        Row(status: 404, code: nil, kind: .notFound),
        Row(status: 409, code: "DENIED", kind: .policy),
        Row(status: 409, code: nil, kind: .conflict),
        Row(status: 413, code: nil, kind: .limitExceeded),
        Row(status: 416, code: nil, kind: .invalidInput),
        Row(status: 429, code: nil, kind: .unavailable),
        Row(status: 500, code: nil, kind: .internal),
        Row(status: 503, code: nil, kind: .unavailable),
    ]

    /// The kind of an error answer. Statuses outside the table: other 4xx are the caller's
    /// mistake (`invalidInput`), other 5xx (a proxy's 502, 504) are `io`.
    public static func kind(status: Int, code: String?) -> HangarError.Kind {
        let rows = table.filter { $0.status == status }
        if let row = rows.first(where: { $0.code != nil && $0.code == code }) ?? rows.first(where: { $0.code == nil }) {
            return row.kind
        }
        return (400..<500).contains(status) ? .invalidInput : .io
    }

    /// The body of an error answer.
    public struct Body: Codable, Sendable {
        /// One error of the answer.
        public struct Entry: Codable, Sendable {
            public var code: String
            public var message: String
            /// Hangar's own servers say the error's kind here.
            public var detail: Detail?
        }
        public struct Detail: Codable, Sendable {
            public var kind: String?
        }
        public var errors: [Entry]
    }

    /// The `HangarError` for an error answer to `what` (for example "promote"): the
    /// server's own message when the body is the documented JSON, else the status and
    /// the start of the body.
    public static func error(status: Int, body: Data, what: String) -> HangarError {
        let parsed = try? JSONDecoder().decode(Body.self, from: body)
        let first = parsed?.errors.first
        // A Hangar server names the kind (the OCI codes cannot say "damaged in the store");
        // any other server's answer is read by status and code.
        let named = first?.detail?.kind.flatMap(HangarError.Kind.init(rawValue:))
        let kind = named ?? kind(status: status, code: first?.code)
        if let parsed, let first {
            let message = parsed.errors.count == 1 ? first.message : parsed.errors.map(\.message).joined(separator: "; ")
            return HangarError(kind, message)
        }
        return HangarError(kind, "the server answered \(status) to \(what)" + describe(body: body, status: status))
    }

    /// An answer not in Hangar's error format: its first line when it is short text, or
    /// what it is when it is a page (then the URL likely points at something else).
    static func describe(body: Data, status: Int) -> String {
        let text = String(decoding: body.prefix(4000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return "" }
        if text.hasPrefix("<") {
            let title = text.firstMatch(of: /<title>([^<]*)<\/title>/).map { String($0.1) }
            let words = (title ?? text.replacing(/<[^>]*>/, with: " ")).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return ": \(words.prefix(120)) (an HTML page\(status == 404 ? "; is the URL a Hangar server?" : ""))"
        }
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return ": " + (line.count > 200 ? String(line.prefix(200)) + "…" : line)
    }
}
