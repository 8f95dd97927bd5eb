import CLibCrypto
import Foundation

/// How API token secrets are made, written and checked. A client presents
/// `hgr_<id>_<secret>`: `id` is 12 lowercase letters and digits that find the record,
/// `secret` the unpadded base64url of 32 random bytes from OpenSSL, of which only the
/// hex SHA-256 is ever stored.
public enum TokenSecret {
    public static let prefix = "hgr_"
    public static let idLength = 12
    /// Unpadded base64url of 32 bytes.
    public static let secretLength = 43
    private static let idAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// A new random token id.
    public static func newID() throws -> String {
        var id: [UInt8] = []
        while id.count < idLength {
            // 252 = 7 × 36: bytes at or above it are dropped so every character is equally likely.
            for byte in try randomBytes(idLength * 2) where byte < 252 && id.count < idLength {
                id.append(idAlphabet[Int(byte) % idAlphabet.count])
            }
        }
        return String(decoding: id, as: UTF8.self)
    }

    /// A new random secret part.
    public static func newSecret() throws -> String {
        Data(try randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What a client presents for `id` and `secret`.
    public static func presented(id: String, secret: String) -> String { "\(prefix)\(id)_\(secret)" }

    /// The id and secret part of a presented token, or nil when it is not of that shape.
    /// (The secret may hold `_`, so the id is found by its fixed length, not by splitting.)
    public static func parse(_ text: String) -> (id: String, secret: String)? {
        let u = Array(text.utf8)
        let head = prefix.utf8.count
        guard u.count >= head + idLength + 1 + secretLength, u.count <= 512, text.hasPrefix(prefix),
              u[head + idLength] == UInt8(ascii: "_") else { return nil }
        let id = u[head..<head + idLength]
        let secret = u[(head + idLength + 1)...]
        guard id.allSatisfy(idAlphabet.contains), secret.allSatisfy(isBase64URL) else { return nil }
        return (String(decoding: id, as: UTF8.self), String(decoding: secret, as: UTF8.self))
    }

    /// The hex SHA-256 of a secret part, as stored.
    public static func hash(_ secret: String) -> String {
        SHA256Hasher.digest(Array(secret.utf8)).hex
    }

    /// Whether two hashes are equal, taking the same time wherever they differ.
    public static func hashesEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count, !x.isEmpty else { return false }
        return CRYPTO_memcmp(x, y, x.count) == 0
    }

    private static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else {
            throw HangarError(.internal, "OpenSSL could not generate \(count) random bytes (RAND_bytes failed)")
        }
        return bytes
    }

    private static func isBase64URL(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f
    }
}

extension Names {
    /// A token name: one OCI name component (e.g. `ci-checkout`), at most 64 characters.
    public static func checkToken(_ name: String) throws {
        guard isComponent(Substring(name)), name.utf8.count <= 64 else {
            throw HangarError.invalid("token name '\(name)' must be lowercase letters and digits, separated by '.', '_', '__' or '-' (OCI name component), at most 64 characters")
        }
    }
}

extension HangarService {
    /// Issues a token and returns its record with the secret to hand over: shown once,
    /// never stored (only its hash is). `environments` restrict a `releaser` only, and
    /// only releasers may have them; `projects` restrict any role; empty means all.
    func createToken(name: String, role: Role, projects: [String] = [], environments: [String] = [],
                            expiresAt: Date? = nil, actor: String) async throws -> (TokenRecord, secret: String) {
        try Names.checkToken(name)
        for project in projects { try Names.checkProject(project) }
        for environment in environments { try Names.checkEnvironment(environment) }
        if !environments.isEmpty && role != .releaser {
            throw HangarError.invalid("token \(name): only releaser tokens are limited to environments, a \(role.rawValue) token cannot be")
        }
        let at = now()
        if let expiresAt {
            guard expiresAt > at else {
                throw HangarError.invalid("token \(name) would expire at \(Timestamp.format(expiresAt)), which is not in the future")
            }
            guard expiresAt.timeIntervalSince(at) <= Double(TimeSpan.maximumSeconds) else {
                throw HangarError.invalid("token \(name) would expire more than 36500d from now: give an expiry within 100 years")
            }
        }
        let (id, secret) = (try TokenSecret.newID(), try TokenSecret.newSecret())
        let record = TokenRecord(id: id, name: name, role: role, projects: unique(projects), environments: unique(environments),
                                 secretHash: TokenSecret.hash(secret), createdAt: at, createdBy: actor,
                                 expiresAt: expiresAt.map(Timestamp.round))
        var details = ["name": name, "role": role.rawValue, "projects": record.projects.joined(separator: ","),
                       "environments": record.environments.joined(separator: ",")]
        details["expiresAt"] = record.expiresAt.map(Timestamp.format)
        try await metadata.insertToken(record, audit: AuditDraft(
            at: at, actor: actor, action: .tokenIssued, project: nil, subject: id, details: details))
        return (record, TokenSecret.presented(id: id, secret: secret))
    }

    /// The token a client presented, if its secret matches (compared in constant time) and
    /// it is neither revoked nor expired; `unauthorized` otherwise.
    public func authenticate(secret presented: String) async throws -> TokenRecord {
        guard let (id, secret) = TokenSecret.parse(presented) else {
            throw HangarError(.unauthorized, "the credential is not a Hangar token (expected hgr_<id>_<secret>)")
        }
        let presentedHash = TokenSecret.hash(secret)
        if let cached = caches.tokens.get(presentedHash), cached.id == id,
           cached.expiresAt.map({ $0 > now() }) ?? true {
            return cached
        }
        let record = try await metadata.token(id: id)
        // An unknown id costs the same comparison as a wrong secret.
        let stored = record?.secretHash ?? String(repeating: "0", count: 64)
        guard TokenSecret.hashesEqual(presentedHash, stored), let record else {
            throw HangarError(.unauthorized, "token \(id) is not valid: unknown id or wrong secret")
        }
        if let revokedAt = record.revokedAt {
            throw HangarError(.unauthorized, "token \(record.name) (\(id)) was revoked at \(Timestamp.format(revokedAt))")
        }
        if let expiresAt = record.expiresAt, expiresAt <= now() {
            throw HangarError(.unauthorized, "token \(record.name) (\(id)) expired at \(Timestamp.format(expiresAt))")
        }
        caches.tokens.put(presentedHash, record)
        return record
    }

    /// Revokes a token from now on (revoking a revoked token changes nothing); `notFound`
    /// if there is no such token. Returns the revoked record.
    @discardableResult
    func revokeToken(id: String, actor: String) async throws -> TokenRecord {
        guard var token = try await metadata.token(id: id) else {
            throw HangarError.notFound("token \(id) not found")
        }
        if token.revokedAt != nil { return token }
        let at = now()
        try await metadata.revokeToken(id: id, at: at, audit: AuditDraft(
            at: at, actor: actor, action: .tokenRevoked, project: nil, subject: id, details: ["name": token.name]))
        caches.tokens.removeAll()  // refused at once by this process
        token.revokedAt = at
        return token
    }

    /// Every token (revoked and expired ones included), by creation time.
    func tokens() async throws -> [TokenRecord] {
        try await metadata.tokens()
    }

    private func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// The rule for token names, said the same by every metadata backend.
public enum TokenNames {
    /// A name is unique among tokens not revoked; a revoked token's name can be issued again.
    public static func taken(_ name: String, by id: String) -> HangarError {
        HangarError.conflict("token name \(name) is in use by token \(id), which is not revoked: revoke it first to issue a new token under this name")
    }
}
