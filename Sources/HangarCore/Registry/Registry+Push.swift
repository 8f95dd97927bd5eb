import Foundation

/// What a manifest push did: the digest stored (or promoted) and the subject it refers to.
public struct PushedManifest: Sendable {
    public var digest: Digest
    public var subject: Digest?
    /// The pointer move when the push was to an environment tag (a promotion).
    public var move: MoveOutcome?
}

extension Registry {
    /// `PUT /v2/<name>/manifests/<reference>`. The manifest is validated and every blob and
    /// child manifest it references must already be in the repository. Then, by reference:
    /// a digest or plain tag stores and records it (push); a candidate tag accepts only the
    /// very bytes it already names (tags of candidates never move); an environment name
    /// promotes the candidate those bytes are (promote in that environment), through the
    /// same policy and audit as `hangar promote`.
    public func pushManifest(_ name: String, reference text: String, bytes: [UInt8], contentType: String?,
                             by principal: Principal) async throws -> PushedManifest {
        // A first push creates the project with the default environments: read tags against those.
        let exists = try await metadata.project(name) != nil
        let environments = exists ? try await metadata.environments(project: name).map(\.name) : HangarService.defaultEnvironments
        let reference = try ManifestReference.classify(text, environments: environments, forPush: true)
        if case .environment(let environment) = reference {
            return try await promote(bytes, to: environment, name: name, by: principal)
        }
        try principal.authorize(.push, project: name)
        let document = try ManifestDocument.parse(bytes, contentType: contentType)
        let digest = SHA256Hasher.digest(bytes)
        switch reference {
        case .digest(let declared) where declared != digest:
            throw HangarError.registry(.invalidInput, .digestInvalid, "manifest pushed as \(declared) hashes to \(digest)")
        case .candidateTag(let tag):
            if try await isCandidateRepush(tag, digest: digest, name: name) { return PushedManifest(digest: digest) }
        case .environmentImage(let e, _, let text) where try await metadata.hasCandidates(project: name):
            throw HangarError.registry(.denied, .denied, "\(name) is a Hangar project, where \(text) is the container image of environment \(e): it moves only by promotion or rollback")
        default:
            break
        }
        try await ensureRepository(name, by: principal)
        try await checkReferences(document, in: name)
        var tag: String?
        if case .tag(let t) = reference { tag = t }
        if case .candidateTag(let t) = reference { tag = t }  // a plain repository's rc-shaped tag
        if case .environmentImage(_, _, let t) = reference { tag = t }  // a plain repository's tag
        try await store(bytes, document, digest: digest, tag: tag, name: name, actor: principal.name)
        return PushedManifest(digest: digest, subject: document.subject)
    }

    /// Stores the bytes and records the manifest, its blob links and the plain tag with
    /// its audit entry, as one unit of work.
    private func store(_ bytes: [UInt8], _ document: ManifestDocument, digest: Digest, tag: String?, name: String,
                       actor: String) async throws {
        let stored = try await service.blobs.put(bytes, expected: digest)
        let at = service.now()
        var details = ["mediaType": document.mediaType]
        details["tag"] = tag
        if let tag { details["from"] = try await metadata.tag(project: name, name: tag)?.digest.description }
        details["subject"] = document.subject?.description
        let audit = [AuditDraft(at: at, actor: actor, action: .manifestPushed, project: name, subject: digest.description, details: details)]
        let record = ManifestRecord(project: name, digest: digest, mediaType: document.mediaType, artifactType: document.artifactType,
                                    size: stored.size, subject: document.subject, annotations: document.annotations,
                                    references: document.references, createdAt: at)
        let tagRecord = tag.map { TagRecord(project: name, tag: $0, digest: digest, updatedAt: at, updatedBy: actor) }
        let links = (document.references + [digest]).map {
            BlobLink(digest: $0, size: $0 == digest ? stored.size : nil, at: at, by: actor)
        }
        try await metadata.apply(UnitOfWork([.putManifest(record, tag: tagRecord), .linkBlobs(project: name, links)], audit: audit))
        if let tagRecord { caches.tagMoved(name, tagRecord.tag) }
    }

    /// A candidate tag takes only the bytes of its candidate (an idempotent re-push: true).
    /// In a repository used as a Hangar project (it has candidates) the `<version>-rc.<n>`
    /// form is reserved for them; elsewhere (a mirror of upstream images) it is a plain tag: false.
    private func isCandidateRepush(_ tag: String, digest: Digest, name: String) async throws -> Bool {
        guard let candidate = try await metadata.candidate(project: name, tag: tag) else {
            guard try await metadata.hasCandidates(project: name) else { return false }
            throw HangarError.registry(.denied, .denied, "\(name) is a Hangar project, where tags of the form <version>-rc.<n> are its candidates: only 'hangar cut' and 'hangar cherry-pick' make \(tag)")
        }
        guard candidate.digest == digest else {
            throw HangarError.registry(.conflict, .denied, "tag \(tag) of \(name) is immutable: it is candidate \(candidate.digest), and the pushed manifest is \(digest)")
        }
        return true
    }

    /// A push to an environment tag: a promotion of the candidate the bytes are, or of the
    /// candidate whose one container image they are (what `skopeo copy …:staging …:production`
    /// sends when staging serves an image).
    private func promote(_ bytes: [UInt8], to environment: String, name: String, by principal: Principal) async throws -> PushedManifest {
        try principal.authorize(.promote, project: name, environment: environment)
        let digest = SHA256Hasher.digest(bytes)
        var found = try await metadata.candidate(project: name, digest: digest)
        if found == nil { found = try await candidate(withImage: digest, in: name) }
        guard let candidate = found else {
            throw HangarError.registry(.conflict, .denied, "\(environment) is an environment of \(name): only a candidate of \(name) (or the one container image of one) can be pushed to it, and manifest \(digest) is neither")
        }
        let outcome = try await service.acting(as: principal).promote(name, ref: candidate.digest.description, to: environment)
        return PushedManifest(digest: digest, move: outcome)
    }

    /// Every blob the manifest names must be stored and visible in the repository with
    /// the size its descriptor says; every child of an index must be a manifest of it.
    private func checkReferences(_ document: ManifestDocument, in name: String) async throws {
        for blob in document.blobs {
            guard let size = try await service.blobs.stat(blob.digest), try await blobVisible(blob.digest, in: name) else {
                throw HangarError.registry(.invalidInput, .manifestBlobUnknown, "manifest references blob \(blob.digest), which is not in \(name): push it first")
            }
            guard size == blob.size else {
                throw HangarError.registry(.invalidInput, .manifestInvalid, "manifest says blob \(blob.digest) has \(blob.size) bytes; it has \(size)")
            }
        }
        for child in document.children {
            if try await manifest(child.digest, in: name) != nil { continue }
            throw HangarError.registry(.invalidInput, .manifestBlobUnknown, "index references manifest \(child.digest), which is not in \(name): push it first")
        }
    }

    /// The candidate whose one container image is `digest`: one an environment runs now
    /// if any does (the source of a copy between environment tags), else the newest.
    private func candidate(withImage digest: Digest, in name: String) async throws -> CandidateRecord? {
        func single(_ c: CandidateRecord) -> Bool {
            let images = c.artifacts.filter(\.isImage)
            return images.count == 1 && images[0].digest == digest
        }
        for env in try await metadata.environments(project: name) {
            if let current = env.current, let c = try await metadata.candidate(project: name, digest: current), single(c) { return c }
        }
        return try await metadata.candidates(project: name, version: nil).last(where: single)
    }
}
