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
        try await state.access.require(context.caller, .read, project: name, request: request, address: context.remoteAddress)
        _ = try await state.repositories.require(name)
        let query = request.uri.queryParameters
        var limit: Int?
        if let n = query["n"] {
            guard let value = Int(n), value >= 0 else { throw APIError(.invalidInput, .invalid, "n='\(n)' is not a non-negative number") }
            limit = value
        }
        let last = query["last"].map(String.init)
        var names = Set(try await state.metadata.tags(project: name, after: nil, limit: nil).map(\.tag))
        names.formUnion(try await state.metadata.candidates(project: name, version: nil).map(\.tag))
        names.formUnion(try await state.metadata.environments(project: name).filter { $0.current != nil }.map(\.name))
        let after = names.sorted(by: Self.byteOrder).filter { tag in last.map { Self.byteOrder($0, tag) } ?? true }
        let page = limit.map { Array(after.prefix($0)) } ?? after
        var headers: HTTPFields = [:]
        if let limit, after.count > page.count, let final = page.last, limit > 0 {
            headers[.link] = "</v2/\(name)/tags/list?n=\(limit)&last=\(final)>; rel=\"next\""
        }
        return try Responses.json(TagList(name: name, tags: page), headers: headers)
    }

    /// Byte-wise (lexical) order of tag names.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// An OCI image index of the manifests whose `subject` is the digest, optionally only
    /// those of one `artifactType` (then `OCI-Filters-Applied: artifactType`).
    func referrers(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        try await state.access.require(context.caller, .read, project: name, request: request, address: context.remoteAddress)
        let subject = try Digest(parsing: text)
        _ = try await state.repositories.require(name)
        var records = try await state.metadata.referrers(project: name, subject: subject)
        var headers: HTTPFields = [:]
        if let type = request.uri.queryParameters["artifactType"].map(String.init) {
            records = records.filter { $0.artifactType == type }
            headers[.ociFiltersApplied] = "artifactType"
        }
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
