import Foundation

extension Registry {
    /// A blob visible in the repository and its size (read). With `cachedSize` the size
    /// may be a second old (for `HEAD`); without, the store is asked now (for `GET`: a
    /// cached size could frame damaged bytes as a complete answer).
    public func blob(_ name: String, digest text: String, cachedSize: Bool = false,
                     by principal: Principal) async throws -> (digest: Digest, size: Int64) {
        try principal.authorize(.read, project: name)
        let digest = try Self.digest(text)
        _ = try await requireRepository(name)
        let size = cachedSize ? try await caches.blobSize(digest, { try await service.blobs.stat(digest) })
                              : try await service.blobs.stat(digest)
        guard let size, try await blobVisible(digest, in: name) else {
            throw HangarError.registry(.notFound, .blobUnknown, "blob \(digest) is not in repository \(name)")
        }
        return (digest, size)
    }

    /// The manifest a reference names in the repository (read), or `MANIFEST_UNKNOWN` saying why.
    public func manifest(_ name: String, reference text: String, by principal: Principal) async throws -> StoredManifest {
        try principal.authorize(.read, project: name)
        _ = try await requireRepository(name)
        let reference = try ManifestReference.classify(text, environments: try await environmentNames(name))
        return try await resolve(reference, in: name)
    }

    /// One page of the repository's tags (read): plain tags, candidate tags and the
    /// environments that point somewhere, in byte order, after `last`, at most `limit`.
    public func tags(_ name: String, after last: String?, limit: Int?, by principal: Principal) async throws -> TagPage {
        try principal.authorize(.read, project: name)
        _ = try await requireRepository(name)
        var names = Set(try await metadata.tags(project: name, after: nil, limit: nil).map(\.tag))
        names.formUnion(try await metadata.candidates(project: name, version: nil).map(\.tag))
        for env in try await metadata.environments(project: name) {
            guard let current = env.current else { continue }
            names.insert(env.name)
            let images = try await manifest(current, in: name)?.candidate?.artifacts.filter(\.isImage) ?? []
            names.formUnion(images.map { "\(env.name)-\($0.name)" })
        }
        let after = names.sorted(by: Self.byteOrder).filter { tag in last.map { Self.byteOrder($0, tag) } ?? true }
        let page = limit.map { Array(after.prefix($0)) } ?? after
        return TagPage(tags: page, more: after.count > page.count)
    }

    /// Byte-wise (lexical) order of tag names.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The manifests whose `subject` is the digest (read), optionally of one `artifactType`.
    public func referrers(_ name: String, subject text: String, artifactType: String?,
                          by principal: Principal) async throws -> [ManifestRecord] {
        try principal.authorize(.read, project: name)
        let subject = try Self.digest(text)
        _ = try await requireRepository(name)
        let records = try await metadata.referrers(project: name, subject: subject)
        return artifactType.map { type in records.filter { $0.artifactType == type } } ?? records
    }

    /// A digest in a request, or `DIGEST_INVALID`.
    static func digest(_ text: String) throws -> Digest {
        do { return try Digest(parsing: text) } catch let e as HangarError {
            throw HangarError.registry(.invalidInput, .digestInvalid, e.message)
        }
    }
}

/// A page of tags and whether more follow.
public struct TagPage: Sendable {
    public var tags: [String]
    public var more: Bool
}
