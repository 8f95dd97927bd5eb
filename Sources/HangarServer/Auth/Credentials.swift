import Foundation
import HangarCore

/// The secret a request presents in `Authorization`: `Bearer <secret>`, or `Basic` with
/// base64 of `<any user>:<secret>` (how docker-style clients log in with a token as the
/// password). Parsing never echoes the secret in an error.
public enum Credentials {
    /// The presented secret; nil when there is no `Authorization` header. Throws
    /// `unauthorized` for a header of another scheme or a malformed one.
    public static func secret(fromAuthorization header: String?) throws -> String? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else {
            throw HangarError(.unauthorized, "Authorization header is not '<scheme> <credentials>'")
        }
        let scheme = trimmed[..<space].lowercased()
        let value = trimmed[trimmed.index(after: space)...].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer":
            guard !value.isEmpty else { throw HangarError(.unauthorized, "Bearer credentials are empty") }
            return value
        case "basic":
            guard let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
                  let colon = text.firstIndex(of: ":") else {
                throw HangarError(.unauthorized, "Basic credentials are not base64 of '<user>:<token>'")
            }
            let secret = String(text[text.index(after: colon)...])
            guard !secret.isEmpty else { throw HangarError(.unauthorized, "Basic credentials carry no token as the password") }
            return secret
        default:
            throw HangarError(.unauthorized, "Authorization scheme '\(scheme)' is not supported: use Bearer <token> or Basic")
        }
    }
}
