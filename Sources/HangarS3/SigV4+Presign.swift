import Foundation
import HangarCore

extension SigV4 {
    /// The query string that authorizes a request without headers (a presigned URL):
    /// `X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-SignedHeaders=host` and
    /// `-Signature`, the payload unsigned. `path` as sent (not percent-encoded).
    public func presign(method: String, path: String, host: String, expires seconds: Int, date: Date) -> String {
        let amzDate = Self.amzDate(date)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        var params = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(max(1, min(seconds, 604_800)))), ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { params.append(("X-Amz-Security-Token", token)) }
        let query = params.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        let canonicalRequest = [method, Self.canonicalURI(path, normalize: normalizePath), Self.canonicalQuery(query),
                                "host:\(host)\n", "host", "UNSIGNED-PAYLOAD"].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            Hex.encode(SHA256Hasher.digest(Array(canonicalRequest.utf8)).bytes)].joined(separator: "\n")
        var key = HMACSHA256.mac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), String(amzDate.prefix(8)))
        for part in [region, service, "aws4_request"] { key = HMACSHA256.mac(key: key, part) }
        return query + "&X-Amz-Signature=" + Hex.encode(HMACSHA256.mac(key: key, stringToSign))
    }
}
