/// What the OCI read path looks up on every request, kept for a second: a tag's digest,
/// a manifest of a repository, that a blob is visible in a repository, and a stored
/// blob's size (on an object store, a HEAD request each). Pushing a tag
/// or deleting a manifest through this server removes what it touches at once; a change
/// made by another server on the same stores is seen within a second.
final class RegistryCaches: Sendable {
    private let tags = TTLCache<String, Digest>(ttl: .seconds(1))
    private let manifests = TTLCache<String, StoredManifest>(ttl: .seconds(1))
    private let visible = TTLCache<String, Bool>(ttl: .seconds(1))
    private let sizes = TTLCache<Digest, Int64>(ttl: .seconds(1))

    private static func key(_ project: String, _ name: String) -> String { project + "\u{0}" + name }

    func tag(_ project: String, _ name: String, _ load: () async throws -> Digest?) async rethrows -> Digest? {
        let k = Self.key(project, name)
        if let hit = tags.get(k) { return hit }
        let digest = try await load()
        if let digest { tags.put(k, digest) }
        return digest
    }

    func manifest(_ project: String, _ digest: Digest, _ load: () async throws -> StoredManifest?) async rethrows -> StoredManifest? {
        let k = Self.key(project, digest.description)
        if let hit = manifests.get(k) { return hit }
        let manifest = try await load()
        if let manifest { manifests.put(k, manifest) }
        return manifest
    }

    /// Only "visible" is kept: a blob not visible yet may become so with the next push.
    func visible(_ project: String, _ digest: Digest, _ load: () async throws -> Bool) async rethrows -> Bool {
        let k = Self.key(project, digest.description)
        if visible.get(k) == true { return true }
        let isVisible = try await load()
        if isVisible { visible.put(k, true) }
        return isVisible
    }

    /// Only stored blobs are kept: an absent one may arrive with the next push.
    func blobSize(_ digest: Digest, _ load: () async throws -> Int64?) async rethrows -> Int64? {
        if let hit = sizes.get(digest) { return hit }
        let size = try await load()
        if let size { sizes.put(digest, size) }
        return size
    }

    /// A tag of `project` was pushed.
    func tagMoved(_ project: String, _ name: String) { tags.remove(Self.key(project, name)) }

    /// A manifest of `project` was deleted, with its tags: forget everything of the project.
    func manifestDeleted(_ project: String) {
        let prefix = project + "\u{0}"
        tags.removeAll { $0.hasPrefix(prefix) }
        visible.removeAll { $0.hasPrefix(prefix) }
        manifests.removeAll { $0.hasPrefix(prefix) }
    }
}
