import Foundation

extension Registry {
    /// Deletes a plain tag, or a manifest by digest with the plain tags naming it (push).
    /// What the release model needs stays (`DENIED`): candidate tags and candidates,
    /// environments, manifests an environment points or pointed at, signed provenance.
    public func delete(_ name: String, reference text: String, by principal: Principal) async throws {
        try principal.authorize(.push, project: name)
        _ = try await requireRepository(name)
        let environments = try await metadata.environments(project: name).map(\.name)
        switch try ManifestReference.classify(text, environments: environments) {
        case .candidateTag(let t) where try await metadata.candidate(project: name, tag: t) != nil:
            throw HangarError.registry(.denied, .denied, "\(t) is a candidate tag of \(name): candidate tags never move and are never deleted")
        case .candidateTag(let t), .tag(let t):
            try await deleteTag(t, name, actor: principal.name)
        case .environment(let e):
            throw HangarError.registry(.denied, .denied, "\(e) is an environment of \(name): it moves only by promotion or rollback")
        case .environmentImage(let e, let artifact, let text):
            if try await environmentImage(e, artifact, in: name) != nil {
                throw HangarError.registry(.denied, .denied, "\(text) is the container image of environment \(e) of \(name): it moves only by promotion or rollback")
            }
            try await deleteTag(text, name, actor: principal.name)
        case .digest(let d):
            try await refuseIfProtected(d, in: name)
            try await metadata.deleteManifest(project: name, digest: d, audit: AuditDraft(
                at: service.now(), actor: principal.name, action: .manifestDeleted, project: name, subject: d.description))
            caches.manifestDeleted(name)
        }
    }

    private func deleteTag(_ tag: String, _ name: String, actor: String) async throws {
        do {
            try await metadata.deleteTag(project: name, name: tag, audit: AuditDraft(
                at: service.now(), actor: actor, action: .tagDeleted, project: name, subject: tag))
        } catch let e as HangarError where e.kind == .notFound {
            throw HangarError.registry(.notFound, .manifestUnknown, e.message)
        }
        caches.tagMoved(name, tag)
    }

    /// Throws `DENIED` naming what still needs the manifest.
    private func refuseIfProtected(_ digest: Digest, in name: String) async throws {
        guard let manifest = try await manifest(digest, in: name) else {
            throw HangarError.registry(.notFound, .manifestUnknown, "\(name) has no manifest \(digest)")
        }
        if let c = manifest.candidate {
            throw HangarError.registry(.denied, .denied, "manifest \(digest) is candidate \(c.tag) of \(name): candidates are immutable and never deleted")
        }
        // A move away from a manifest follows a move to it: the moves to it are its history.
        if let move = try await metadata.deployments(project: name, environment: nil, to: digest, beforeID: nil, limit: 1).first {
            throw HangarError.registry(.denied, .denied, "manifest \(digest) is in the history of environment \(move.environment) of \(name) and stays for audit")
        }
        if let m = try await metadata.manifest(project: name, digest: digest), m.artifactType == Provenance.artifactType {
            throw HangarError.registry(.denied, .denied, "manifest \(digest) is the signed provenance of a candidate of \(name) and stays for audit")
        }
    }
}
