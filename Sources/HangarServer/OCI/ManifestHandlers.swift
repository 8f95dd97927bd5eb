import HangarCore
import HTTPTypes
import Hummingbird

/// `HEAD`/`GET`/`DELETE /v2/<name>/manifests/<reference>`: manifests are served as the
/// exact bytes stored, with their media type and digest. A plain tag can be deleted, and a
/// manifest with its plain tags unless the release model needs it.
struct ManifestHandlers: Sendable {
    let state: ServerState

    /// The manifest's bytes (or only its headers for `HEAD`).
    func get(_ request: Request, _ context: HangarRequestContext, name: String, reference text: String) async throws -> Response {
        try await state.access.require(context.caller, .read, project: name, request: request, address: context.remoteAddress)
        _ = try await state.repositories.require(name)
        let environments = try await state.service.cachedEnvironments(name).map(\.name)
        let manifest = try await state.repositories.resolve(try .classify(text, environments: environments), in: name)
        let headers: HTTPFields = [.dockerContentDigest: manifest.digest.description, .eTag: "\"\(manifest.digest)\""]
        if request.method == .head {
            var h = headers
            h[.contentType] = manifest.mediaType
            h[.contentLength] = String(manifest.size)
            return Response(status: .ok, headers: h)
        }
        var h = headers
        h[.contentType] = manifest.mediaType
        let bytes = try await cachedBytes(manifest.digest)
        h[.contentLength] = String(bytes.readableBytes)
        return Response(status: .ok, headers: h, body: .init(byteBuffer: bytes))
    }

    /// The manifest's checked bytes, through the small-blob cache.
    private func cachedBytes(_ digest: Digest) async throws -> ByteBuffer {
        do {
            return try await state.smallBlobs.bytes(digest, from: state.blobs, limit: ManifestDocument.sizeLimit)
        } catch let e as HangarError where e.kind == .integrity || e.kind == .notFound {
            throw APIError(.integrity, .blobCorrupt, "stored manifest \(digest) cannot be served: \(e.message)")
        }
    }

    /// Reads stored manifest bytes, verified; a corrupt or missing stored manifest is a
    /// server-side failure (`BLOB_CORRUPT`, 500), never served.
    func readBytes(_ digest: Digest) async throws -> [UInt8] {
        do {
            return try await state.blobs.get(digest, limit: ManifestDocument.sizeLimit)
        } catch let e as HangarError where e.kind == .integrity || e.kind == .notFound {
            throw APIError(.integrity, .blobCorrupt, "stored manifest \(digest) cannot be served: \(e.message)")
        }
    }

    /// Deletes a plain tag, or a manifest by digest (with the plain tags naming it) when the
    /// release model does not protect it: candidate tags, environments, candidates,
    /// manifests an environment points or pointed at, and signed provenance stay.
    func delete(_ request: Request, _ context: HangarRequestContext, name: String, reference text: String) async throws -> Response {
        try await state.access.require(context.caller, .push, project: name, request: request, address: context.remoteAddress)
        _ = try await state.repositories.require(name)
        let environments = try await state.metadata.environments(project: name).map(\.name)
        switch try ManifestReference.classify(text, environments: environments) {
        case .candidateTag(let t) where try await state.metadata.candidate(project: name, tag: t) != nil:
            throw APIError(.denied, .denied, "\(t) is a candidate tag of \(name): candidate tags never move and are never deleted")
        case .candidateTag(let t):
            return try await deleteTag(t, name, context)
        case .environment(let e):
            throw APIError(.denied, .denied, "\(e) is an environment of \(name): it moves only by promotion or rollback")
        case .tag(let t):
            return try await deleteTag(t, name, context)
        case .digest(let d):
            try await refuseIfNeeded(d, in: name)
            try await state.metadata.deleteManifest(project: name, digest: d, audit: AuditDraft(
                at: state.service.now(), actor: context.caller.name, action: .manifestDeleted, project: name,
                subject: d.description))
            state.lookups.manifestDeleted(name)
            return Responses.empty(.accepted)
        }
    }

    private func deleteTag(_ tag: String, _ name: String, _ context: HangarRequestContext) async throws -> Response {
        do {
            try await state.metadata.deleteTag(project: name, name: tag, audit: AuditDraft(
                at: state.service.now(), actor: context.caller.name, action: .tagDeleted, project: name, subject: tag))
        } catch let e as HangarError where e.kind == .notFound {
            throw APIError(.notFound, .manifestUnknown, e.message)
        }
        state.lookups.tagMoved(name, tag)
        return Responses.empty(.accepted)
    }

    /// Throws `DENIED` (403) naming what still needs the manifest.
    private func refuseIfNeeded(_ digest: Digest, in name: String) async throws {
        guard let manifest = try await state.repositories.manifest(digest, in: name) else {
            throw APIError(.notFound, .manifestUnknown, "\(name) has no manifest \(digest)")
        }
        if let c = manifest.candidate {
            throw APIError(.denied, .denied, "manifest \(digest) is candidate \(c.tag) of \(name): candidates are immutable and never deleted")
        }
        // A move away from a manifest follows a move to it: the moves to it are its history.
        if let move = try await state.metadata.deployments(project: name, environment: nil, to: digest, beforeID: nil, limit: 1).first {
            throw APIError(.denied, .denied, "manifest \(digest) is in the history of environment \(move.environment) of \(name) and stays for audit")
        }
        if let m = try await state.metadata.manifest(project: name, digest: digest), m.artifactType == Provenance.artifactType {
            throw APIError(.denied, .denied, "manifest \(digest) is the signed provenance of a candidate of \(name) and stays for audit")
        }
    }
}
