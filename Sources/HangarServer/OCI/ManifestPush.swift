import HangarCore
import HTTPTypes
import Hummingbird

/// `PUT /v2/<name>/manifests/<reference>`. The manifest is validated and every blob and
/// child manifest it references must already be in the repository. Then, by reference:
/// a digest or plain tag stores and records it; a candidate tag accepts only the very
/// bytes it already names (tags of candidates never move); an environment name promotes
/// the candidate those bytes are, through the same policy and audit as `hangar promote`.
struct ManifestPush: Sendable {
    let state: ServerState

    func put(_ request: Request, _ context: HangarRequestContext, name: String, reference text: String) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: ManifestDocument.sizeLimit)
        let bytes = Array(body.readableBytesView)
        context.record.received(bytes.count)
        // A first push creates the project with the default environments: read tags against those.
        let exists = try await state.metadata.project(name) != nil
        let environments = exists ? try await state.metadata.environments(project: name).map(\.name) : HangarService.defaultEnvironments
        let reference = try ManifestReference.classify(text, environments: environments, forPush: true)
        if case .environment(let environment) = reference {
            return try await promote(bytes, to: environment, request, context, name: name)
        }
        try await state.access.require(context.caller, .push, project: name, request: request, address: context.remoteAddress)
        let document = try ManifestDocument.parse(bytes, contentType: request.headers[.contentType])
        let digest = SHA256Hasher.digest(bytes)
        switch reference {
        case .digest(let declared) where declared != digest:
            throw APIError(.invalidInput, .digestInvalid, "manifest pushed as \(declared) hashes to \(digest)")
        case .candidateTag(let tag):
            if let answer = try await pushToCandidateTag(tag, digest: digest, name: name) { return answer }
        default:
            break
        }
        try await state.repositories.ensure(name, caller: context.caller)
        try await checkReferences(document, in: name)
        var tag: String?
        if case .tag(let t) = reference { tag = t }
        if case .candidateTag(let t) = reference { tag = t }  // a plain repository's rc-shaped tag
        try await store(bytes, document, digest: digest, tag: tag, name: name, caller: context.caller)
        return Responses.empty(.created, headers: headers(name, digest, document.subject))
    }

    /// Stores the bytes and records the manifest (and the plain tag) with its audit entries.
    private func store(_ bytes: [UInt8], _ document: ManifestDocument, digest: Digest, tag: String?, name: String, caller: Caller) async throws {
        let stored = try await state.blobs.put(bytes, expected: digest)
        let at = state.service.now()
        var details = ["mediaType": document.mediaType]
        details["tag"] = tag
        if let tag { details["from"] = try await state.metadata.tag(project: name, name: tag)?.digest.description }
        details["subject"] = document.subject?.description
        let audit = [AuditDraft(at: at, actor: caller.name, action: .manifestPushed, project: name, subject: digest.description, details: details)]
        let record = ManifestRecord(project: name, digest: digest, mediaType: document.mediaType, artifactType: document.artifactType,
                                    size: stored.size, subject: document.subject, annotations: document.annotations,
                                    references: document.references, createdAt: at)
        let tagRecord = tag.map { TagRecord(project: name, tag: $0, digest: digest, updatedAt: at, updatedBy: caller.name) }
        let links = (document.references + [digest]).map {
            BlobLink(digest: $0, size: $0 == digest ? stored.size : nil, at: at, by: caller.name)
        }
        try await state.metadata.apply(UnitOfWork([.putManifest(record, tag: tagRecord), .linkBlobs(project: name, links)], audit: audit))
        if let tagRecord { state.lookups.tagMoved(name, tagRecord.tag) }
    }

    /// A candidate tag takes only the bytes of its candidate (an idempotent re-push). In a
    /// repository used as a Hangar project (it has candidates) the `<version>-rc.<n>` form
    /// is reserved for them; elsewhere (a mirror of upstream images) it is a plain tag: nil.
    private func pushToCandidateTag(_ tag: String, digest: Digest, name: String) async throws -> Response? {
        guard let candidate = try await state.metadata.candidate(project: name, tag: tag) else {
            guard try await state.metadata.hasCandidates(project: name) else { return nil }
            throw APIError(.denied, .denied, "\(name) is a Hangar project, where tags of the form <version>-rc.<n> are its candidates: only 'hangar cut' and 'hangar cherry-pick' make \(tag)")
        }
        guard candidate.digest == digest else {
            throw APIError(.conflict, .denied, "tag \(tag) of \(name) is immutable: it is candidate \(candidate.digest), and the pushed manifest is \(digest)")
        }
        return Responses.empty(.created, headers: headers(name, digest, nil))
    }

    /// A push to an environment tag: a promotion of the candidate the bytes are.
    private func promote(_ bytes: [UInt8], to environment: String, _ request: Request, _ context: HangarRequestContext,
                         name: String) async throws -> Response {
        try await state.access.require(context.caller, .promote, project: name, environment: environment,
                                       request: request, address: context.remoteAddress)
        let digest = SHA256Hasher.digest(bytes)
        guard let candidate = try await state.metadata.candidate(project: name, digest: digest) else {
            throw APIError(.conflict, .denied, "\(environment) is an environment of \(name): only a candidate of \(name) can be pushed to it, and manifest \(digest) is not one")
        }
        let outcome = try await state.service.promote(name, ref: candidate.digest.description, to: environment,
                                                      options: MoveOptions(), kind: .promote, actor: context.caller.name)
        if outcome.deployment != nil { state.metrics.pointerMoved(kind: "promote", environment: environment) }
        return Responses.empty(.created, headers: headers(name, digest, nil))
    }

    /// Every blob the manifest names must be stored and visible in the repository with
    /// the size its descriptor says; every child of an index must be a manifest of it.
    private func checkReferences(_ document: ManifestDocument, in name: String) async throws {
        for blob in document.blobs {
            guard let size = try await state.blobs.stat(blob.digest), try await state.repositories.blobVisible(blob.digest, in: name) else {
                throw APIError(.invalidInput, .manifestBlobUnknown, "manifest references blob \(blob.digest), which is not in \(name): push it first")
            }
            guard size == blob.size else {
                throw APIError(.invalidInput, .manifestInvalid, "manifest says blob \(blob.digest) has \(blob.size) bytes; it has \(size)")
            }
        }
        for child in document.children {
            if try await state.repositories.manifest(child.digest, in: name) != nil { continue }
            throw APIError(.invalidInput, .manifestBlobUnknown, "index references manifest \(child.digest), which is not in \(name): push it first")
        }
    }

    private func headers(_ name: String, _ digest: Digest, _ subject: Digest?) -> HTTPFields {
        var h: HTTPFields = [.location: "/v2/\(name)/manifests/\(digest)", .dockerContentDigest: digest.description, .contentLength: "0"]
        if let subject { h[.ociSubject] = subject.description }
        return h
    }
}
