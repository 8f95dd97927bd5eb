import Foundation

/// The OCI distribution semantics of Hangar, for every front end: which repositories
/// exist (a repository is a project, created by a first push), which blobs and manifests
/// are visible in one, what a reference names, pushing a manifest (validated, recorded,
/// linked and tagged as one unit of work), deleting tags and manifests under the release
/// model's protection rules, mounts, tags and referrers. Every operation takes the
/// principal and checks `Authorization` first. The HTTP layer parses and renders only.
public struct Registry: Sendable {
    public let service: HangarService
    let caches = RegistryCaches()

    public init(service: HangarService) {
        self.service = service
    }

    var metadata: any MetadataStore { service.metadata }

    /// The project, or `NAME_UNKNOWN`.
    func requireRepository(_ name: String) async throws -> ProjectRecord {
        guard let project = try await service.cachedProject(name) else {
            throw HangarError.registry(.notFound, .nameUnknown, "repository \(name) is not known to this registry")
        }
        return project
    }

    /// Creates the project with the default environments if it does not exist (a first
    /// push by a caller allowed to push), recorded as `project.created` by the caller.
    /// Another push creating it at the same moment is fine.
    func ensureRepository(_ name: String, by principal: Principal) async throws {
        if try await service.cachedProject(name) != nil { return }
        do {
            _ = try await service.createProject(name, actor: principal.name)
        } catch let e as HangarError where e.kind == .conflict {
            return
        }
    }

    /// Whether a blob may be read through this repository: uploaded or mounted into it,
    /// referenced by one of its manifests or candidates, or one of its manifests itself.
    /// (A digest stored for another project is not readable here.)
    func blobVisible(_ digest: Digest, in project: String) async throws -> Bool {
        try await caches.visible(project, digest) {
            if try await metadata.isBlobLinked(project: project, digest: digest) { return true }
            return try await manifest(digest, in: project) != nil
        }
    }

    /// A manifest of the project by digest: pushed over the OCI API or a candidate.
    func manifest(_ digest: Digest, in project: String) async throws -> StoredManifest? {
        try await caches.manifest(project, digest) {
            let candidate = try await metadata.candidate(project: project, digest: digest)
            if let m = try await metadata.manifest(project: project, digest: digest) {
                return StoredManifest(digest: digest, mediaType: m.mediaType, size: m.size, candidate: candidate)
            }
            return candidate.map { StoredManifest(digest: digest, mediaType: MediaType.ociManifest, size: $0.manifestSize, candidate: $0) }
        }
    }

    /// The environments of a repository (the names its environment tags take).
    func environmentNames(_ name: String) async throws -> [String] {
        try await service.cachedEnvironments(name).map(\.name)
    }
}

/// A manifest the registry can serve: its digest, media type and size, and the
/// candidate it is when it is one.
public struct StoredManifest: Sendable {
    public var digest: Digest
    public var mediaType: String
    public var size: Int64
    public var candidate: CandidateRecord?
}
