import Foundation
import HangarCore
import Hummingbird

/// The board's sign-in: the token a person pastes once is kept in an HttpOnly,
/// SameSite=Strict cookie and checked on every request exactly as an `Authorization`
/// header is (revoked or expired: signed out). Mutating forms carry a CSRF token derived
/// from the session's secret (HMAC-SHA256), so any server behind one address accepts it
/// and no page of another site can make one.
enum BoardSession {
    static let cookie = "hangar_session"

    /// The session secret the request's cookie carries, if any.
    static func secret(_ request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookie + "="), case let value = String(pair.dropFirst(cookie.count + 1)), !value.isEmpty {
                return value.removingPercentEncoding ?? value
            }
        }
        return nil
    }

    /// `Set-Cookie` for a new session (or, with nil, one that ends it).
    static func setCookie(_ secret: String?, secure: Bool) -> String {
        let value = secret.map { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_-"))) ?? "" } ?? ""
        return "\(cookie)=\(value); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
            + (secret == nil ? "; Max-Age=0" : "")
    }

    /// The CSRF token of a session: 32 hex digits of HMAC-SHA256(secret, purpose).
    static func csrf(_ secret: String) -> String {
        HMACSHA256.mac(key: Array(secret.utf8), "hangar-board-csrf").prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Throws `denied` unless the form carries the session's CSRF token.
    static func checkCSRF(_ form: [String: String], _ request: Request) throws {
        guard let secret = secret(request) else { throw HangarError(.unauthorized, "sign in first: this form needs a board session") }
        let expected = Array(csrf(secret).utf8), given = Array((form["csrf"] ?? "").utf8)
        guard given.count == expected.count, zip(given, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw HangarError(.denied, "the form's CSRF token is missing or wrong: reload the page and try again")
        }
    }
}

/// A form body (`application/x-www-form-urlencoded`), at most 64 KiB.
enum FormBody {
    static func decode(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let key = parts.first, !key.isEmpty { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}
