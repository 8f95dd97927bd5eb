/// Which blobs the metadata needs: everything a candidate, a pushed manifest, a link of a
/// blob into a repository, or a signed move refers to, with the size the metadata
/// recorded for it where it recorded one. `hangar verify` checks the store against it.
public protocol BlobReferences: Sendable {
    /// Every referenced digest, with its recorded size (nil where none is recorded).
    func referencedBlobs() async throws -> [Digest: Int64?]
}
