/// The keys `ContentAddressedStore` keeps things under in its driver.
public enum BlobKeys {
    public static let blobs = "blobs/sha256/"
    public static let temporary = "tmp/"

    /// A complete blob.
    public static func blob(_ digest: Digest) -> String { blobs + digest.hex.prefix(2) + "/" + digest.hex }
    /// The blob's chunk table (`ChunkTable`).
    public static func chunks(_ digest: Digest) -> String { "chunks/sha256/" + digest.hex.prefix(2) + "/" + digest.hex }
    /// The bytes of upload session `id` so far.
    public static func session(_ id: String) -> String { temporary + "session-" + id }
    /// A new one-off write of this process.
    public static func upload() -> String { temporary + Posix.randomName("upload") }

    /// The digest a blob key names, or nil when it is not one.
    public static func digest(_ key: String) -> Digest? {
        guard key.hasPrefix(blobs), let d = Digest.valid("sha256:" + key.split(separator: "/").last.map(String.init)!),
              blob(d) == key else { return nil }
        return d
    }
}
