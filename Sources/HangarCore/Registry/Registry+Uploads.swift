import Foundation

extension Registry {
    /// Checks the principal may push to the repository (every upload request).
    public func authorizeUpload(_ name: String, by principal: Principal) throws {
        try principal.authorize(.push, project: name)
    }

    /// Before a new upload: the principal may push, and the repository exists (a first
    /// push creates it).
    public func beginUpload(_ name: String, by principal: Principal) async throws {
        try principal.authorize(.push, project: name)
        try await ensureRepository(name, by: principal)
    }

    /// Links a committed blob to the repository: who, when, how large (off the audit chain).
    public func linkUploaded(_ stored: StoredBlob, into name: String, by principal: Principal) async throws {
        try principal.authorize(.push, project: name)
        try await metadata.linkBlobs(project: name, [BlobLink(digest: stored.digest, size: stored.size,
                                                               at: service.now(), by: principal.name)])
    }

    /// Links a blob readable in `from` into `name` (push to `name`, read of `from`); nil
    /// (the client falls back to an upload) when the digest is malformed, the principal may
    /// not read `from`, or the blob is not there.
    public func mount(_ text: String, from: String, into name: String, by principal: Principal) async throws -> Digest? {
        try principal.authorize(.push, project: name)
        guard let digest = Digest.valid(text), (try? Names.checkProject(from)) != nil,
              principal.may(.read, project: from),
              let size = try await service.blobs.stat(digest),
              try await blobVisible(digest, in: from) else { return nil }
        try await metadata.linkBlobs(project: name, [BlobLink(digest: digest, size: size, at: service.now(), by: principal.name)])
        return digest
    }
}
