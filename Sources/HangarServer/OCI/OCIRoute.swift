import Foundation
import HangarCore

/// A request path under `/v2/`, parsed. Repository names contain `/`, so the path is
/// read from its end: `…/blobs/<digest>`, `…/blobs/uploads/[<id>]`,
/// `…/manifests/<reference>`, `…/tags/list`, `…/referrers/<digest>`; what comes before
/// is the name, checked against the OCI repository-name rule.
public enum OCIRoute: Sendable, Equatable {
    /// `GET /v2/`: the API version check.
    case base
    case blob(name: String, digest: String)
    case uploads(name: String)
    case upload(name: String, id: String)
    case manifest(name: String, reference: String)
    case tags(name: String)
    case referrers(name: String, digest: String)

    /// Parses a raw request path (`/v2/acme/app/blobs/sha256:…`). Throws `NAME_INVALID`
    /// for a name that breaks the rule or a path with an empty or malformed segment, and
    /// `NOT_FOUND` for a path of no known shape.
    public static func parse(_ path: String) throws -> OCIRoute {
        guard path == "/v2" || path.hasPrefix("/v2/") else { throw unknownPath(path) }
        let parts: [String]
        do {
            parts = Array(try PathSegments.split(Substring(path)).dropFirst())
        } catch let e as HangarError {
            throw APIError(.invalidInput, .nameInvalid, e.message)
        }
        if parts.isEmpty { return .base }
        let n = parts.count
        func name(_ count: Int) throws -> String {
            guard count > 0 else { throw unknownPath(path) }
            let name = parts[0..<count].joined(separator: "/")
            do { try Names.checkProject(name) } catch let e as HangarError {
                throw APIError(.invalidInput, .nameInvalid, e.message)
            }
            return name
        }
        if n >= 3, parts[n - 2] == "tags", parts[n - 1] == "list" { return .tags(name: try name(n - 2)) }
        if n >= 3, parts[n - 2] == "blobs", parts[n - 1] == "uploads" { return .uploads(name: try name(n - 2)) }
        if n >= 4, parts[n - 3] == "blobs", parts[n - 2] == "uploads" { return .upload(name: try name(n - 3), id: parts[n - 1]) }
        if n >= 3, parts[n - 2] == "blobs" { return .blob(name: try name(n - 2), digest: parts[n - 1]) }
        if n >= 3, parts[n - 2] == "manifests" { return .manifest(name: try name(n - 2), reference: parts[n - 1]) }
        if n >= 3, parts[n - 2] == "referrers" { return .referrers(name: try name(n - 2), digest: parts[n - 1]) }
        throw unknownPath(path)
    }

    /// The repository the route is about (nil for the version check).
    public var name: String? {
        switch self {
        case .base: nil
        case .blob(let n, _), .uploads(let n), .upload(let n, _), .manifest(let n, _), .tags(let n), .referrers(let n, _): n
        }
    }

    /// The route pattern, for metrics (bounded cardinality: no names or digests).
    public var pattern: String {
        switch self {
        case .base: "/v2/"
        case .blob: "/v2/{name}/blobs/{digest}"
        case .uploads: "/v2/{name}/blobs/uploads/"
        case .upload: "/v2/{name}/blobs/uploads/{id}"
        case .manifest: "/v2/{name}/manifests/{reference}"
        case .tags: "/v2/{name}/tags/list"
        case .referrers: "/v2/{name}/referrers/{digest}"
        }
    }

    /// One route of every shape, with placeholders: the route-coverage test walks these.
    public static let examples: [OCIRoute] = [
        .base, .blob(name: "{name}", digest: "{digest}"), .uploads(name: "{name}"), .upload(name: "{name}", id: "{id}"),
        .manifest(name: "{name}", reference: "{reference}"), .tags(name: "{name}"), .referrers(name: "{name}", digest: "{digest}"),
    ]

    /// The methods the route answers (the `Allow` header of a 405).
    public var allowed: [String] {
        switch self {
        case .base, .tags, .referrers: ["GET", "HEAD"]
        case .blob: ["GET", "HEAD"]
        case .uploads: ["POST"]
        case .upload: ["GET", "PATCH", "PUT", "DELETE"]
        case .manifest: ["GET", "HEAD", "PUT", "DELETE"]
        }
    }

    /// Which OCI codes its failures take.
    public var scope: ErrorScope {
        switch self {
        case .base, .tags: .tags
        case .blob: .blob
        case .uploads, .upload: .upload
        case .manifest: .manifest
        case .referrers: .referrers
        }
    }

    private static func unknownPath(_ path: String) -> APIError {
        APIError(.notFound, .nameUnknown, "no OCI distribution endpoint at \(SecurityEvent.bounded(path))")
    }
}
