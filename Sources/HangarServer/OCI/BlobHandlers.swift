import HangarCore
import HTTPTypes
import Hummingbird

/// `HEAD`/`GET /v2/<name>/blobs/<digest>`: a blob's size, or its bytes (whole or one
/// range) streamed from the store. Deleting blobs is refused: garbage collection owns it.
struct BlobHandlers: Sendable {
    let state: ServerState

    /// The blob's size and digest headers, no body.
    func head(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        let (digest, size) = try await locate(request, context, name: name, digest: text)
        return Responses.empty(.ok, headers: headers(digest, length: size))
    }

    /// The blob's bytes; `206` with `Content-Range` for a satisfiable `Range`.
    func get(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> Response {
        let (digest, size) = try await locate(request, context, name: name, digest: text)
        let range = try ByteRange.resolve(request.headers[.range], size: size)
        let reader = try await state.blobs.reader(for: digest, range: range)
        var headers = headers(digest, length: reader.length)
        headers[.contentType] = "application/octet-stream"
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        let body = BlobStreaming.body(reader, logger: context.logger, metrics: state.metrics)
        return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
    }

    /// Finds a blob visible in the repository after checking the caller may read it.
    private func locate(_ request: Request, _ context: HangarRequestContext, name: String, digest text: String) async throws -> (Digest, Int64) {
        try await state.access.require(context.caller, .read, project: name, request: request, address: context.remoteAddress)
        let digest = try Digest(parsing: text)
        _ = try await state.repositories.require(name)
        guard let size = try await state.blobs.stat(digest), try await state.repositories.blobVisible(digest, in: name) else {
            throw APIError(.notFound, .blobUnknown, "blob \(digest) is not in repository \(name)")
        }
        return (digest, size)
    }

    private func headers(_ digest: Digest, length: Int64) -> HTTPFields {
        [.contentLength: String(length), .dockerContentDigest: digest.description, .eTag: "\"\(digest)\"",
         .acceptRanges: "bytes", .contentType: "application/octet-stream"]
    }
}
