/// What the `<reference>` of `/v2/<name>/manifests/<reference>` names in a project: a
/// digest, a candidate tag (`<version>-rc.<n>`, never moves), an environment (reads as
/// its current candidate, or the candidate's one container image; a push to it is a
/// promotion), an environment's image (`<env>-<artifact>`: the container image of that
/// name in the candidate the environment runs), or a plain tag.
enum ManifestReference: Sendable, Equatable {
    case digest(Digest)
    case candidateTag(String)
    case environment(String)
    case environmentImage(environment: String, artifact: String, text: String)
    case tag(String)

    /// Classifies `text` against the project's environment names. A malformed digest is
    /// 400 `DIGEST_INVALID`; a malformed tag names no manifest, so reading or deleting it is
    /// 404 `MANIFEST_UNKNOWN` and pushing to it (`forPush`) 400 `MANIFEST_INVALID` (what the
    /// OCI conformance suite asks).
    static func classify(_ text: String, environments: [String], forPush: Bool = false) throws -> ManifestReference {
        if text.contains(":") {
            do { return .digest(try Digest(parsing: text)) } catch let e as HangarError {
                throw HangarError.registry(.invalidInput, .digestInvalid, e.message)
            }
        }
        guard Names.isValidTag(text) else {
            let why = "'\(text.prefix(140))' is not a valid OCI tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})"
            if forPush { throw HangarError.registry(.invalidInput, .manifestInvalid, why) }
            throw HangarError.registry(.notFound, .manifestUnknown, "no manifest is named \(why)")
        }
        if Names.parseCandidateTag(text) != nil { return .candidateTag(text) }
        if environments.contains(text) { return .environment(text) }
        // The longest environment name that prefixes the tag (`production-eu-api` in a
        // project with production and production-eu is production-eu's `api`).
        if let env = environments.filter({ text.hasPrefix($0 + "-") && text.count > $0.count + 1 }).max(by: { $0.count < $1.count }) {
            return .environmentImage(environment: env, artifact: String(text.dropFirst(env.count + 1)), text: text)
        }
        return .tag(text)
    }
}

extension Registry {
    /// The manifest a reference names in the project, or `MANIFEST_UNKNOWN` saying why.
    func resolve(_ reference: ManifestReference, in project: String) async throws -> StoredManifest {
                let digest: Digest
        switch reference {
        case .digest(let d):
            digest = d
        case .candidateTag(let t):
            if let c = try await metadata.candidate(project: project, tag: t) {
                digest = c.digest
            } else if let tagged = try await caches.tag(project, t, { try await metadata.tag(project: project, name: t)?.digest }) {
                digest = tagged  // an rc-shaped plain tag of a repository that is not a Hangar project
            } else {
                throw HangarError.registry(.notFound, .manifestUnknown, "\(project) has no candidate or tag \(t)")
            }
        case .environment(let e):
            guard let current = try await service.cachedEnvironments(project).first(where: { $0.name == e })?.current else {
                throw HangarError.registry(.notFound, .manifestUnknown, "environment \(e) of \(project) points at no candidate yet")
            }
            // A candidate with one container image is, for a container runtime, that image.
            let images = try await manifest(current, in: project)?.candidate?.artifacts.filter(\.isImage) ?? []
            digest = images.count == 1 ? images[0].digest : current
        case .environmentImage(let e, let name, let text):
            if let image = try await environmentImage(e, name, in: project) {
                digest = image.digest
            } else if let tagged = try await caches.tag(project, text, { try await metadata.tag(project: project, name: text)?.digest }) {
                digest = tagged
            } else {
                throw HangarError.registry(.notFound, .manifestUnknown, "\(project) has no tag \(text), and environment \(e) runs no candidate with a container image named '\(name)'")
            }
        case .tag(let t):
            guard let tagged = try await caches.tag(project, t, { try await metadata.tag(project: project, name: t)?.digest }) else {
                throw HangarError.registry(.notFound, .manifestUnknown, "\(project) has no tag \(t)")
            }
            digest = tagged
        }
        guard let manifest = try await manifest(digest, in: project) else {
            throw HangarError.registry(.notFound, .manifestUnknown, "\(project) has no manifest \(digest)")
        }
        return manifest
    }

    /// The container image `name` of the candidate environment `e` runs, if it has one.
    func environmentImage(_ e: String, _ name: String, in project: String) async throws -> ArtifactRecord? {
        guard let current = try await service.cachedEnvironments(project).first(where: { $0.name == e })?.current,
              let candidate = try await manifest(current, in: project)?.candidate else { return nil }
        return candidate.artifacts.first { $0.name == name && $0.isImage }
    }
}
