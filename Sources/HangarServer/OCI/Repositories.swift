import HangarCore

/// What the OCI API needs to know about a repository (a project): whether it exists,
/// which blobs and manifests are visible in it, and creating it on a first push.
struct Repositories: Sendable {
    let service: HangarService
    let caches: RegistryCaches

    /// The project, or `NAME_UNKNOWN`.
    func require(_ name: String) async throws -> ProjectRecord {
        guard let project = try await service.cachedProject(name) else { throw APIError.nameUnknown(name) }
        return project
    }

    /// Creates the project with the default environments if it does not exist (a first
    /// push by a caller the gate already allowed to push), recorded as `project.created`
    /// by the caller. Another push creating it at the same moment is fine.
    func ensure(_ name: String, caller: Caller) async throws {
        if try await service.cachedProject(name) != nil { return }
        do {
            _ = try await service.createProject(name, actor: caller.name)
        } catch let e as HangarError where e.kind == .conflict {
            return
        }
    }

    /// Whether a blob may be read through this repository: uploaded or mounted into it,
    /// referenced by one of its manifests or candidates, or one of its manifests itself.
    /// (A digest stored for another project is not readable here.)
    func blobVisible(_ digest: Digest, in project: String) async throws -> Bool {
        try await caches.visible(project, digest) {
            if try await service.metadata.isBlobLinked(project: project, digest: digest) { return true }
            return try await manifest(digest, in: project) != nil
        }
    }

    /// A manifest of the project by digest: pushed over the OCI API or a candidate.
    func manifest(_ digest: Digest, in project: String) async throws -> StoredManifest? {
        try await caches.manifest(project, digest) {
            let candidate = try await service.metadata.candidate(project: project, digest: digest)
            if let m = try await service.metadata.manifest(project: project, digest: digest) {
                return StoredManifest(digest: digest, mediaType: m.mediaType, size: m.size, candidate: candidate)
            }
            return candidate.map { StoredManifest(digest: digest, mediaType: MediaType.ociManifest, size: $0.manifestSize, candidate: $0) }
        }
    }
}

/// A manifest the registry can serve: its digest, media type and size, and the
/// candidate it is when it is one.
struct StoredManifest: Sendable {
    var digest: Digest
    var mediaType: String
    var size: Int64
    var candidate: CandidateRecord?
}
