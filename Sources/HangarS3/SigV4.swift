import Foundation
import HangarCore

/// AWS Signature Version 4 (header signing), written against AWS's specification and
/// checked against its published test suite (`Fixtures/sigv4`). HMAC-SHA256 and SHA-256
/// through OpenSSL.
public struct SigV4: Sendable {
    public struct Credentials: Sendable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// A signed request's parts, and the headers to add to it.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        /// `X-Amz-Date`, `X-Amz-Security-Token` and `X-Amz-Content-Sha256` when they apply,
        /// then `Authorization`.
        public var headers: [(String, String)]
    }

    public var credentials: Credentials
    public var region: String
    public var service: String
    /// Remove `.`/`..` segments and repeated slashes from the path before signing (every
    /// service but S3, which signs the key as it is).
    public var normalizePath: Bool
    /// Send and sign `X-Amz-Content-Sha256` (S3 requires it on every request).
    public var signPayloadHeader: Bool
    /// Sign `X-Amz-Security-Token` (the default); when false it is sent but added after signing.
    public var signsSessionToken: Bool

    public init(credentials: Credentials, region: String, service: String, normalizePath: Bool, signPayloadHeader: Bool,
                signsSessionToken: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizePath = normalizePath
        self.signPayloadHeader = signPayloadHeader
        self.signsSessionToken = signsSessionToken
    }

    /// Signs a request: `path` as sent (not percent-encoded), `query` the raw query string
    /// (percent-encoded or not), `headers` every header that will be sent (Host included),
    /// `payloadHash` the hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
    public func sign(method: String, path: String, query: String?, headers: [(String, String)], payloadHash: String,
                     date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        var added = [("X-Amz-Date", amzDate)]
        let token = credentials.sessionToken.map { ("X-Amz-Security-Token", $0) }
        if let token, signsSessionToken { added.append(token) }
        if signPayloadHeader { added.append(("X-Amz-Content-Sha256", payloadHash)) }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers + added)
        let canonicalRequest = [method, Self.canonicalURI(path, normalize: normalizePath), Self.canonicalQuery(query ?? ""),
                                canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            Hex.encode(SHA256Hasher.digest(Array(canonicalRequest.utf8)).bytes)].joined(separator: "\n")
        var key = HMACSHA256.mac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), day)
        for part in [region, service, "aws4_request"] { key = HMACSHA256.mac(key: key, part) }
        let signature = Hex.encode(HMACSHA256.mac(key: key, stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        let unsigned = signsSessionToken ? [] : token.map { [$0] } ?? []
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
                         headers: added + unsigned + [("Authorization", authorization)])
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Lower-case names, sorted; values trimmed with inner runs of white space (line breaks
    /// of folded values included) made one space; repeated names joined with commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            values[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        let names = values.keys.sorted()
        let canonical = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (canonical, names.joined(separator: ";"))
    }

    /// The path percent-encoded segment by segment (RFC 3986 unreserved characters kept),
    /// after removing dot segments and empty ones when normalizing.
    static func canonicalURI(_ path: String, normalize: Bool) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if normalize {
            var kept: [String] = []
            for s in segments.dropFirst() {
                switch s {
                case "", ".": continue
                case "..": _ = kept.popLast()
                default: kept.append(s)
                }
            }
            let trailing = path.count > 1 && (path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")) && !kept.isEmpty
            return "/" + kept.map(encode).joined(separator: "/") + (trailing ? "/" : "")
        }
        if segments.first == "" { segments.removeFirst() }
        return "/" + segments.map(encode).joined(separator: "/")
    }

    /// Parameters decoded, encoded again the canonical way, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { part -> (String, String) in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.removingPercentEncoding ?? String(s) }
            return (encode(decode(kv[0])), kv.count > 1 ? encode(decode(kv[1])) : "")
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// A path as sent on the wire: each `/`-separated segment percent-encoded (`encode`).
    public static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
    }

    /// Every byte but the RFC 3986 unreserved characters as `%XX` (upper-case hex).
    static func encode(_ text: String) -> String { PercentEncoding.unreserved(text) }
}
