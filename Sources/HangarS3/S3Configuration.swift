import Foundation
import HangarCore

/// Where an S3-compatible bucket is and how to reach it.
public struct S3Configuration: Sendable {
    /// How the bucket is named in request URLs.
    public enum Addressing: String, Sendable {
        /// `https://endpoint/bucket/key`: every S3-compatible store, and the default.
        case path
        /// `https://bucket.endpoint/key`: AWS's preferred form.
        case virtualHost = "virtual"
    }

    /// `http(s)://host[:port]`, no path.
    public var endpoint: URL
    public var bucket: String
    public var region: String
    public var credentials: SigV4.Credentials
    public var addressing: Addressing
    /// Put before every key (e.g. `hangar/`), so one bucket can hold several stores.
    public var prefix: String
    /// Size of the parts an upload is cut into (at least 5 MiB: S3's minimum part).
    public var partSize: Int
    /// Attempts per request when the store is throttling or failing (5xx, 429, connection).
    public var attempts: Int
    /// Answer blob GETs with a presigned URL of this lifetime (nil: bytes flow through Hangar).
    public var redirectExpiry: Duration?

    public static let minimumPartSize = 5 * 1024 * 1024

    public init(endpoint: URL, bucket: String, region: String = "us-east-1", credentials: SigV4.Credentials,
                addressing: Addressing = .path, prefix: String = "", partSize: Int = 16 * 1024 * 1024,
                attempts: Int = 4, redirectExpiry: Duration? = nil) throws {
        guard let scheme = endpoint.scheme, ["http", "https"].contains(scheme), endpoint.host != nil,
              endpoint.path.isEmpty || endpoint.path == "/" else {
            throw HangarError.invalid("S3 endpoint '\(endpoint.absoluteString)' must be http(s)://host[:port] with no path")
        }
        guard Self.validBucket(bucket) else {
            throw HangarError.invalid("S3 bucket '\(bucket.prefix(80))' is not a bucket name (3–63 of a-z, 0-9, '.', '-')")
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw HangarError.invalid("S3 region '\(region.prefix(40))' is not a region name")
        }
        guard !credentials.accessKeyID.isEmpty, !credentials.secretAccessKey.isEmpty else {
            throw HangarError.invalid("S3 credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        guard partSize >= Self.minimumPartSize else {
            throw HangarError.invalid("S3 part size \(partSize) is below S3's minimum of 5 MiB")
        }
        let cleanPrefix = prefix.split(separator: "/").joined(separator: "/")
        guard !cleanPrefix.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            throw HangarError.invalid("S3 key prefix '\(prefix.prefix(80))' may not contain '.' or '..' parts")
        }
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
        self.prefix = cleanPrefix.isEmpty ? "" : cleanPrefix + "/"
        self.partSize = partSize
        self.attempts = max(1, attempts)
        self.redirectExpiry = redirectExpiry
    }

    static func validBucket(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }
            && name.first != "." && name.first != "-"
    }

    /// The URL path and Host header of a request for `key` (nil: the bucket itself).
    func location(_ key: String?) -> (host: String, path: String) {
        var host = endpoint.host!
        if let port = endpoint.port { host += ":\(port)" }
        let objectPath = key.map { "/" + prefix + $0 } ?? "/"
        switch addressing {
        case .path: return (host, "/" + bucket + (key == nil ? "" : objectPath))
        case .virtualHost: return (bucket + "." + host, objectPath)
        }
    }
}
