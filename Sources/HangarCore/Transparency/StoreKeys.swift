#if canImport(Glibc)
import Glibc
#endif
import CHangarSystem
import Foundation

/// Where a store's signing key comes from: a configured PEM file, or one the embedded
/// store makes for itself on first use (mode 0600, never rewritten).
public enum StoreKeys {
    public static func loadOrCreate(_ path: String, create: Bool) throws -> SigningKey {
        if FileManager.default.fileExists(atPath: path) { return try SigningKey.load(file: path) }
        guard create else { throw HangarError.notFound("signing key \(path) does not exist (make one with 'hangar key generate')") }
        try write(try SigningKey.generate().privatePEM(), to: path, mode: 0o600)
        return try SigningKey.load(file: path)
    }

    /// Writes a key file that appears only when complete and is never overwritten.
    /// Returns false when a file already stood at `path` (it is kept, the new key is not written).
    @discardableResult
    public static func write(_ pem: String, to path: String, mode: mode_t) throws -> Bool {
        let tmp = path + ".\(Posix.randomName("new"))"
        let fd = hangar_create_exclusive(tmp, mode)
        guard fd >= 0 else { throw HangarError.system("create", tmp, "cannot write key file \(path)") }
        defer { close(fd) }
        do {
            try Array(pem.utf8).withUnsafeBytes { try Posix.writeAll(fd, $0, path: tmp) }
            guard fsync(fd) == 0 else { throw HangarError.system("fsync", tmp) }
            // link() refuses to replace: a key that appeared meanwhile wins and is kept.
            let linked = link(tmp, path) == 0
            guard linked || errno == EEXIST else { throw HangarError.system("link", path) }
            unlink(tmp)
            return linked
        } catch {
            unlink(tmp)
            throw error
        }
    }
}
