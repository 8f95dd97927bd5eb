import Foundation
import HangarCore

/// The paths of the native API (`/api/v1`) and of the OCI blob API (`/v2`), escaped.
///
/// A project name may contain `/` (`acme/checkout`): its segments are escaped one by one
/// and the project path ends with `/-/`, so what follows cannot be mistaken for part of
/// the name. Every other value (environment, candidate ref, id) is one escaped segment.
enum APIPath {
    /// Characters left as they are inside one path segment.
    private static let segmentAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/;?#%")
        return set
    }()

    /// Characters left as they are inside a query name or value.
    private static let queryAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#%;")
        return set
    }()

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? text
    }

    /// The project's name, each of its segments escaped.
    static func name(_ project: String) -> String {
        project.split(separator: "/", omittingEmptySubsequences: false).map { segment(String($0)) }.joined(separator: "/")
    }

    static let projects = "/api/v1/projects"

    /// `/api/v1/projects/<name>/-/<rest>`.
    static func project(_ project: String, _ rest: String...) -> String {
        "\(projects)/\(name(project))/-/" + rest.joined(separator: "/")
    }

    /// `/api/v1/projects/<name>/-/environments/<env>/<action>`.
    static func environment(_ project: String, _ env: String, _ action: String) -> String {
        Self.project(project, "environments", segment(env), action)
    }

    /// `/v2/<name>/blobs/<digest>`.
    static func blob(_ project: String, _ digest: Digest) -> String {
        "/v2/\(name(project))/blobs/\(digest)"
    }

    /// `/v2/<name>/blobs/uploads/`.
    static func uploads(_ project: String) -> String {
        "/v2/\(name(project))/blobs/uploads/"
    }

    /// `?a=1&b=2` (or `&a=1…` when `url` already has a query); empty for no items.
    static func query(_ items: [(String, String)], appendingTo url: String) -> String {
        guard !items.isEmpty else { return "" }
        let text = items.map { k, v in
            (k.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? k) + "="
                + (v.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? v)
        }.joined(separator: "&")
        return (url.contains("?") ? "&" : "?") + text
    }
}
