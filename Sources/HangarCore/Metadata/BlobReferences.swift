/// Which blobs the metadata needs: everything a candidate, a pushed manifest, a link of a
/// blob into a repository, or a signed move refers to, with the size the metadata
/// recorded for it where it recorded one; a collected candidate's blobs are not needed any
/// more (unless something else refers to them). `hangar verify` checks the store against it.
public protocol BlobReferences: Sendable {
    /// Every referenced digest, with its recorded size (nil where none is recorded).
    func referencedBlobs() async throws -> [Digest: Int64?]
}

extension Dictionary where Key == Digest, Value == Int64? {
    /// The references of `rows` (digest text, recorded size or nil), as a backend reads them:
    /// a digest with a size anywhere keeps that size. `integrity` when a row holds no digest.
    public init(referenceRows rows: [(String, Int64?)]) throws {
        self.init()
        for (text, size) in rows {
            guard let digest = Digest.valid(text) else {
                throw HangarError.integrity("the metadata refers to '\(text.prefix(80))', which is not a digest")
            }
            if let size { self[digest] = size } else if self[digest] == nil { self[digest] = .some(nil) }
        }
    }
}
