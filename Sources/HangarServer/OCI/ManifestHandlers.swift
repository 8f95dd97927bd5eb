import HangarCore
import HTTPTypes
import Hummingbird

/// `HEAD`/`GET`/`PUT`/`DELETE /v2/<name>/manifests/<reference>`: the registry decides
/// (resolve, push, delete, with the caller's rights); this serves the exact bytes stored,
/// with their media type and digest.
struct ManifestHandlers: Sendable {
    let state: ServerState

    /// The manifest's bytes (or only its headers for `HEAD`).
    func get(_ request: Request, _ context: HangarRequestContext, name: String, reference: String) async throws -> Response {
        let manifest = try await state.registry.manifest(name, reference: reference, by: context.caller)
        var headers: HTTPFields = [.dockerContentDigest: manifest.digest.description, .eTag: "\"\(manifest.digest)\"",
                                   .contentType: manifest.mediaType]
        if request.method == .head {
            headers[.contentLength] = String(manifest.size)
            return Response(status: .ok, headers: headers)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await state.smallBlobs.bytes(manifest.digest, from: state.blobs, limit: ManifestDocument.sizeLimit)
        } catch let e as HangarError where e.kind == .integrity || e.kind == .notFound {
            throw APIError(.integrity, .blobCorrupt, "stored manifest \(manifest.digest) cannot be served: \(e.message)")
        }
        headers[.contentLength] = String(bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// `PUT`: 201 with the digest (and `OCI-Subject` for a manifest with a subject).
    func put(_ request: Request, _ context: HangarRequestContext, name: String, reference: String) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: ManifestDocument.sizeLimit)
        context.record.received(body.readableBytes)
        let pushed = try await state.registry.pushManifest(name, reference: reference, bytes: Array(body.readableBytesView),
                                                          contentType: request.headers[.contentType], by: context.caller)
        if let move = pushed.move, let d = move.deployment { state.metrics.pointerMoved(kind: "promote", environment: d.environment) }
        var h: HTTPFields = [.location: "/v2/\(name)/manifests/\(pushed.digest)", .dockerContentDigest: pushed.digest.description,
                             .contentLength: "0"]
        if let subject = pushed.subject { h[.ociSubject] = subject.description }
        return Responses.empty(.created, headers: h)
    }

    /// `DELETE`: 202 once the tag, or the manifest with its plain tags, is gone.
    func delete(_ request: Request, _ context: HangarRequestContext, name: String, reference: String) async throws -> Response {
        try await state.registry.delete(name, reference: reference, by: context.caller)
        return Responses.empty(.accepted)
    }
}
