#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// How a whole-blob read is checked against the blob's digest.
public enum ReadVerification: String, Sendable, CaseIterable {
    /// Every byte is hashed on its way out; a mismatch fails the read at its end.
    case everyByte = "every-byte"
    /// A blob whose bytes were checked (when written, by a checked read, or by a scrub)
    /// and whose file has not changed since (same inode, size, modification and change
    /// times) is read without hashing again; any other is hashed as with `everyByte`, and
    /// sealed when it matches.
    case atRest = "at-rest"
}

/// The identity of a blob file as `fstat` gives it: any write, truncation, replacement,
/// chmod or rename of the file changes it (the change time cannot be set from user space).
struct FileIdentity: Hashable, Sendable {
    let inode: UInt64
    let size: Int64
    let modified: Int64
    let changed: Int64

    init(_ st: stat) {
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
    }
}

/// Which blobs were checked against their digest, and the identity their file had then:
/// kept in memory for the life of the process (a new process checks each blob again on its
/// first read), at most `capacity` (past it, half of them are forgotten, and each is
/// checked again when next read).
final class BlobSeals: Sendable {
    private let capacity: Int
    private let seals = Mutex<[Digest: FileIdentity]>([:])

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Whether `digest` was checked and its file is still the file that was checked.
    func holds(_ digest: Digest, _ identity: FileIdentity) -> Bool {
        seals.withLock { $0[digest] == identity }
    }

    func seal(_ digest: Digest, _ identity: FileIdentity) {
        seals.withLock { s in
            if s.count >= capacity { s = Dictionary(uniqueKeysWithValues: s.prefix(capacity / 2).map { ($0.key, $0.value) }) }
            s[digest] = identity
        }
    }

    func breakSeal(_ digest: Digest) { _ = seals.withLock { $0.removeValue(forKey: digest) } }
}
