import Foundation

/// A container image named as an artifact of a candidate: `NAME=REPO@sha256:…`.
public struct ImageSource: Codable, Sendable, Hashable {
    public var name: String
    /// `REPO@sha256:…`: a manifest or index already pushed to this registry.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// Parses `NAME=REPO@sha256:…` (the CLI's `--image`).
    public init(parsing spec: String) throws {
        guard let eq = spec.firstIndex(of: "="), let at = spec.lastIndex(of: "@"), eq < at else {
            throw HangarError.invalid("--image '\(spec.prefix(200))' must be NAME=REPO@sha256:…, e.g. api=acme/checkout@sha256:…")
        }
        self.init(name: String(spec[..<eq]), source: String(spec[spec.index(after: eq)...]))
    }

    /// The repository and digest of `source`, checked.
    func parts() throws -> (repository: String, digest: Digest) {
        guard let at = source.lastIndex(of: "@") else {
            throw HangarError.invalid("image '\(name)': '\(source.prefix(200))' is not REPO@sha256:…")
        }
        let repository = String(source[..<at])
        try Names.checkProject(repository)
        return (repository, try Digest(parsing: String(source[source.index(after: at)...])))
    }
}

extension ArtifactRecord {
    /// A container image (its digest names a manifest or index), not an archive.
    public var isImage: Bool {
        ManifestDocument.imageTypes.contains(mediaType) || ManifestDocument.indexTypes.contains(mediaType)
    }
}

extension Registry {
    /// The artifact record of an image already pushed (read of its repository), brought into
    /// `project` (push there): from another repository its manifest, the manifests an index
    /// lists and every blob they reference are linked into the project, no byte copied.
    /// Candidates and Hangar's own artifacts are not images.
    public func imageArtifact(_ image: ImageSource, project: String, by principal: Principal) async throws -> ArtifactRecord {
        try Names.checkArtifact(image.name)
        let (repository, digest) = try image.parts()
        try principal.authorize(.push, project: project)
        try principal.authorize(.read, project: repository)
        guard let stored = try await manifest(digest, in: repository), stored.candidate == nil,
              let record = try await metadata.manifest(project: repository, digest: digest) else {
            throw HangarError.notFound("image '\(image.name)': \(repository) has no image manifest \(digest): push the image first")
        }
        let artifact = ArtifactRecord(name: image.name, digest: digest, size: record.size, mediaType: record.mediaType)
        guard artifact.isImage, record.artifactType != Provenance.artifactType else {
            throw HangarError.invalid("image '\(image.name)': \(repository)@\(digest) is a \(record.artifactType ?? record.mediaType), not a container image")
        }
        if repository != project { try await link(record, from: repository, into: project, actor: principal.name) }
        return artifact
    }

    /// Records `record` (and, for an index, its child manifests first) in `project` with
    /// links to every blob it references, each manifest as one audited unit of work.
    private func link(_ record: ManifestRecord, from repository: String, into project: String, actor: String) async throws {
        if try await metadata.manifest(project: project, digest: record.digest) != nil { return }
        for child in record.references {
            if let m = try await metadata.manifest(project: repository, digest: child) {
                try await link(m, from: repository, into: project, actor: actor)
            }
        }
        let at = service.now()
        var copy = record
        copy.project = project
        copy.createdAt = at
        let links = (record.references + [record.digest]).map { BlobLink(digest: $0, size: $0 == record.digest ? record.size : nil, at: at, by: actor) }
        let audit = AuditDraft(at: at, actor: actor, action: .manifestPushed, project: project, subject: record.digest.description,
                               details: ["mediaType": record.mediaType, "mountedFrom": repository])
        try await metadata.apply(UnitOfWork([.putManifest(copy, tag: nil), .linkBlobs(project: project, links)], audit: [audit]))
    }
}
