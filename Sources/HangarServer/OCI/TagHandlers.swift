import HangarCore
import HTTPTypes
import Hummingbird

/// `GET /v2/<name>/tags/list` and `GET /v2/<name>/referrers/<digest>`.
struct TagHandlers: Sendable {
    let state: ServerState

    private struct TagList: Codable { var name: String; var tags: [String] }

    /// Plain tags, candidate tags and the environments that point somewhere, sorted, with
    /// `n`/`last` pagination and a `Link` header to the next page.
    func list(_ request: Request, _ context: HangarRequestContext, name: String) async throws -> Response {
        let query = request.uri.queryParameters
        var limit: Int?
        if let n = query["n"] {
            guard let value = Int(n), value >= 0 else {
                throw APIError(.invalidInput, .unsupported, "n='\(n.prefix(40))' is not a non-negative number", scope: .tags, status: .badRequest)
            }
            limit = value
        }
        let page = try await state.registry.tags(name, after: query["last"].map(String.init), limit: limit, by: context.caller)
        var headers: HTTPFields = [:]
        if let limit, page.more, let final = page.tags.last, limit > 0 {
            headers[.link] = "</v2/\(name)/tags/list?n=\(limit)&last=\(final)>; rel=\"next\""
        }
        return try Responses.json(TagList(name: name, tags: page.tags), headers: headers)
    }

    /// An OCI image index of the manifests whose `subject` is the digest, optionally only
    /// those of one `artifactType` (then `OCI-Filters-Applied: artifactType`).
    func referrers(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        let type = request.uri.queryParameters["artifactType"].map(String.init)
        let records = try await state.registry.referrers(name, subject: text, artifactType: type, by: context.caller)
        let headers: HTTPFields = type == nil ? [:] : [.ociFiltersApplied: "artifactType"]
        let index = ReferrersIndex(manifests: records.map {
            OCIDescriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size, artifactType: $0.artifactType,
                          annotations: $0.annotations.isEmpty ? nil : $0.annotations)
        })
        return try Responses.json(index, contentType: MediaType.ociIndex, headers: headers)
    }
}

/// The body of the referrers API: an OCI image index.
struct ReferrersIndex: Codable, Sendable {
    var schemaVersion = 2
    var mediaType = MediaType.ociIndex
    var manifests: [OCIDescriptor]
}
