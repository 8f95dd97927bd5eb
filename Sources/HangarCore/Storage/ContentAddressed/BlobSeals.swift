import Synchronization

/// How a whole-blob read is checked against the blob's digest.
public enum ReadVerification: String, Sendable, CaseIterable {
    /// Every byte is hashed on its way out; a mismatch fails the read at its end.
    case everyByte = "every-byte"
    /// A blob whose bytes were checked (when written, by a checked read, or by a scrub)
    /// and whose stored object has not changed since (the same `DriverObject.version`: for
    /// a file, the same inode, size, modification and change times) is read without
    /// hashing again; any other is hashed as with `everyByte`, and sealed when it matches.
    case atRest = "at-rest"
}

/// Which blobs were checked against their digest, and the version their object had then:
/// kept in memory for the life of the process (a new process checks each blob again on its
/// first read), at most `capacity` (past it, half of them are forgotten, and each is
/// checked again when next read).
final class BlobSeals: Sendable {
    private let capacity: Int
    private let seals = Mutex<[Digest: String]>([:])

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Whether `digest` was checked and its object is still the version that was checked.
    func holds(_ digest: Digest, _ version: String) -> Bool {
        seals.withLock { $0[digest] == version }
    }

    func seal(_ digest: Digest, _ version: String) {
        seals.withLock { s in
            if s.count >= capacity { s = Dictionary(uniqueKeysWithValues: s.prefix(capacity / 2).map { ($0.key, $0.value) }) }
            s[digest] = version
        }
    }

    func breakSeal(_ digest: Digest) { _ = seals.withLock { $0.removeValue(forKey: digest) } }
}
