import HangarCore
import NIOCore
import Synchronization

/// Small blobs (manifests, configs, small layers) already read and checked against their
/// digest, kept as ready-to-send buffers. A digest names one byte sequence forever, so an
/// entry never goes stale: a blob damaged on disk after it was cached is still served
/// right, and a blob no longer stored is never asked for (callers check the store first).
/// Bounded: past `capacity` bytes the cache is emptied.
final class SmallBlobCache: Sendable {
    static let maxEntry = 256 << 10
    let capacity: Int
    private let state = Mutex<(entries: [Digest: ByteBuffer], bytes: Int)>(([:], 0))

    init(capacity: Int = 64 << 20) { self.capacity = capacity }

    func get(_ digest: Digest) -> ByteBuffer? { state.withLock { $0.entries[digest] } }

    /// Reads `digest` through the cache: a hit costs no I/O; a miss reads and checks the
    /// whole blob (`integrity` when it is damaged) and keeps it when it is small.
    func bytes(_ digest: Digest, from blobs: any BlobStore, limit: Int) async throws -> ByteBuffer {
        if let hit = get(digest) { return hit }
        let buffer = ByteBuffer(bytes: try await blobs.get(digest, limit: limit))
        if buffer.readableBytes <= Self.maxEntry {
            state.withLock { s in
                if s.bytes + buffer.readableBytes > capacity { s = ([:], 0) }
                if s.entries.updateValue(buffer, forKey: digest) == nil { s.bytes += buffer.readableBytes }
            }
        }
        return buffer
    }
}
