import HangarCore
import HTTPTypes
import Hummingbird

/// Blob uploads: monolithic (`POST …/uploads/?digest=`), cross-repository mounts
/// (`?mount=&from=`), and sessions (`POST` to open, `PATCH` chunks, `GET` status,
/// `PUT ?digest=` to finish, `DELETE` to cancel). Bodies stream into the blob writer
/// chunk by chunk; the digest is checked by the writer before anything becomes visible.
struct UploadHandlers: Sendable {
    let state: ServerState

    /// `POST /v2/<name>/blobs/uploads/`.
    func start(_ request: Request, _ context: HangarRequestContext, name: String) async throws -> Response {
        try await state.registry.beginUpload(name, by: context.caller)
        let query = request.uri.queryParameters
        if let mount = query["mount"].map(String.init), let from = query["from"].map(String.init),
           let response = try await self.mount(mount, from: from, into: name, caller: context.caller) {
            return response
        }
        if let digest = query["digest"].map(String.init) {
            return try await monolithic(request, context, name: name, digest: try Digest(parsing: digest))
        }
        let session = try await state.uploads.open(project: name, by: context.caller)
        return Responses.empty(.accepted, headers: sessionHeaders(name, session.id, offset: 0))
    }

    /// `PATCH /v2/<name>/blobs/uploads/<id>`: appends a chunk. With `Content-Range` the
    /// chunk must start where the upload stands (else 416 with the current `Range`).
    /// If the connection drops, the bytes that arrived are kept for a resume.
    func patch(_ request: Request, _ context: HangarRequestContext, name: String, id: String) async throws -> Response {
        let session = try await state.uploads.claim(id, project: name, by: context.caller)
        do {
            try checkContentRange(request, session, name: name)
            try await BlobStreaming.drain(request.body, into: session.writer, record: context.record)
        } catch {
            try? await state.uploads.release(session)
            throw storeFailure(error, name: name, session: session)
        }
        let offset = session.offset
        do {
            try await state.uploads.release(session)
        } catch {
            throw storeFailure(error, name: name, session: session)
        }
        return Responses.empty(.accepted, headers: sessionHeaders(name, id, offset: offset))
    }

    /// `GET /v2/<name>/blobs/uploads/<id>`: where the upload stands (204, `Range`).
    func status(_ request: Request, _ context: HangarRequestContext, name: String, id: String) async throws -> Response {
        let offset = try await state.uploads.offset(id, project: name, by: context.caller)
        return Responses.empty(.noContent, headers: sessionHeaders(name, id, offset: offset))
    }

    /// `PUT /v2/<name>/blobs/uploads/<id>?digest=`: appends the final body if any and
    /// commits under the declared digest (400 `DIGEST_INVALID`, nothing stored and the
    /// session ended, when the bytes hash to something else). If the final body is cut
    /// off, the session stays open with what arrived.
    func finish(_ request: Request, _ context: HangarRequestContext, name: String, id: String) async throws -> Response {
        try state.registry.authorizeUpload(name, by: context.caller)
        guard let text = request.uri.queryParameters["digest"].map(String.init) else {
            throw APIError(.invalidInput, .digestInvalid, "finishing upload \(id) needs ?digest=sha256:…")
        }
        let digest = try Digest(parsing: text)
        let session = try await state.uploads.claim(id, project: name, by: context.caller)
        do {
            try checkContentRange(request, session, name: name)
            try await BlobStreaming.drain(request.body, into: session.writer, record: context.record)
        } catch {
            try? await state.uploads.release(session)  // a final chunk cut off can be resumed too
            throw storeFailure(error, name: name, session: session)
        }
        // Commit, then forget the session: a crash in between leaves a row without bytes,
        // which the sweep removes, never bytes nobody knows of.
        let stored: StoredBlob
        do {
            stored = try await session.writer.commit(expected: digest, expectedSize: nil)
        } catch {
            await state.uploads.finish(session)
            throw error
        }
        await state.uploads.finish(session)
        try await recordStored(stored, in: name, caller: context.caller, started: session.claimed)
        return Responses.empty(.created, headers: blobHeaders(name, digest))
    }

    /// `DELETE /v2/<name>/blobs/uploads/<id>`: abandons the upload and its bytes.
    func cancel(_ request: Request, _ context: HangarRequestContext, name: String, id: String) async throws -> Response {
        let session = try await state.uploads.claim(id, project: name, by: context.caller)
        session.writer.abort()
        await state.uploads.finish(session)
        return Responses.empty(.noContent)
    }

    /// The whole blob in the `POST` body, committed under `digest`.
    private func monolithic(_ request: Request, _ context: HangarRequestContext, name: String, digest: Digest) async throws -> Response {
        let started = ContinuousClock.now
        let writer = try await state.blobs.writer()
        let stored: StoredBlob
        do {
            try await BlobStreaming.drain(request.body, into: writer, record: context.record)
            stored = try await writer.commit(expected: digest, expectedSize: nil)
        } catch {
            writer.abort()
            throw error
        }
        try await recordStored(stored, in: name, caller: context.caller, started: started)
        return Responses.empty(.created, headers: blobHeaders(name, digest))
    }

    /// Links a blob readable in `from` into `name` (201), or nil to fall back to a session.
    private func mount(_ text: String, from: String, into name: String, caller: Principal) async throws -> Response? {
        guard let digest = try await state.registry.mount(text, from: from, into: name, by: caller) else { return nil }
        return Responses.empty(.created, headers: blobHeaders(name, digest))
    }

    /// Links a committed blob to the repository, times the upload.
    private func recordStored(_ stored: StoredBlob, in name: String, caller: Principal, started: ContinuousClock.Instant) async throws {
        try await state.registry.linkUploaded(stored, into: name, by: caller)
        state.metrics.upload(duration: ContinuousClock.now - started, bytes: stored.size, created: stored.created)
    }

    /// With `Content-Range` a chunk (also the final one, on `PUT`) must start where the
    /// upload stands: else 416 with the current `Range`, so the client resumes from there.
    private func checkContentRange(_ request: Request, _ session: UploadSession, name: String) throws {
        guard let header = request.headers[.contentRange] else { return }
        let range = try ChunkRange(parsing: header)
        guard range.start == session.offset else {
            throw APIError(.invalidInput, .blobUploadInvalid,
                           "chunk starts at byte \(range.start) but upload \(session.id) has \(session.offset) bytes: resume from \(session.offset)",
                           scope: .upload, headers: sessionHeaders(name, session.id, offset: session.offset), status: .rangeNotSatisfiable)
        }
    }

    /// A chunk the store could not take (disk full, I/O error) leaves the session at the
    /// last byte it stored: 416 `BLOB_UPLOAD_INVALID` with that `Range`, so the client
    /// resumes from there once the server can store again. Other errors pass through.
    private func storeFailure(_ error: any Error, name: String, session: UploadSession) -> any Error {
        guard let failure = error as? BlobStreaming.StoreFailure else { return error }
        let offset = session.offset
        return APIError(.invalidInput, .blobUploadInvalid,
                        "upload \(session.id) could not store a chunk (\(failure.cause)); it holds \(offset) bytes: resume from byte \(offset)",
                        scope: .upload, headers: sessionHeaders(name, session.id, offset: offset), status: .rangeNotSatisfiable)
    }

    private func sessionHeaders(_ name: String, _ id: String, offset: Int64) -> HTTPFields {
        [.location: "/v2/\(name)/blobs/uploads/\(id)", .dockerUploadUUID: id,
         .range: "0-\(max(offset - 1, 0))", .contentLength: "0"]
    }

    private func blobHeaders(_ name: String, _ digest: Digest) -> HTTPFields {
        [.location: "/v2/\(name)/blobs/\(digest)", .dockerContentDigest: digest.description, .contentLength: "0"]
    }
}
