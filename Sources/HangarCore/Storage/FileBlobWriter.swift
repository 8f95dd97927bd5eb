#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// A write into `tmp/`, renamed into `blobs/` on commit.
///
/// Two kinds: a one-off write (`tmp/upload-<pid>-<random>`, gone with its process) and
/// the write of a durable upload session (`tmp/session-<id>`), which any process can
/// take up again: it holds an exclusive `flock` while in use (a second taker is refused
/// as busy), and a process that did not write its bytes re-reads them to restore the
/// hash. Either way the hash never runs ahead of the bytes on disk.
final class FileBlobWriter: BlobWriter {
    private let store: FileSystemBlobStore
    private let tmpPath: String
    /// The session this write belongs to, if it is durable.
    private let session: String?
    private var fd: Int32 = -1
    private var hasher = SHA256Hasher()
    private(set) var bytesWritten: Int64 = 0
    private var finished = false

    /// A one-off write.
    init(store: FileSystemBlobStore) throws {
        self.store = store
        self.session = nil
        self.tmpPath = store.tmpRoot + "/" + Posix.randomName("upload")
        fd = hangar_create_exclusive(tmpPath, 0o600)
        guard fd >= 0 else { throw HangarError.system("create", tmpPath, "cannot start a blob write in \(store.tmpRoot)") }
    }

    /// The write of upload session `id`, created empty when it does not exist yet.
    init(store: FileSystemBlobStore, session id: String) throws {
        self.store = store
        self.session = id
        self.tmpPath = store.sessionPath(id)
        try resume()
    }

    deinit {
        if session == nil { abort() } else { suspend() }
    }

    /// Writes, then hashes what was written. A failed write (disk full, EIO) cuts the file
    /// back to where it stood, so the write stays consistent at `bytesWritten` and can go
    /// on from there.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after commit or abort")
        try resume()
        do {
            try Posix.writeAll(fd, bytes, path: tmpPath)
        } catch {
            if ftruncate(fd, off_t(bytesWritten)) != 0 {
                abort()  // the file can no longer be trusted to match the hash: give the write up
                throw HangarError(.io, "blob write failed and could not be rolled back; the upload is abandoned", cause: error)
            }
            throw error
        }
        hasher.update(bytes)
        bytesWritten += Int64(bytes.count)
    }

    /// Closes the file (and, for a session, lets another request or process take it).
    func suspend() {
        if fd >= 0 && !finished { close(fd); fd = -1 }
    }

    /// (Re)opens the file. A one-off write must still hold exactly what was hashed. A
    /// session is locked for this process and, when its file is not what this writer
    /// hashed (another process appended, or this one is new), its bytes are re-read.
    func resume() throws {
        guard fd < 0 else { return }
        fd = session == nil ? hangar_open_append(tmpPath) : hangar_open_session(tmpPath)
        guard fd >= 0 else { throw HangarError.system("open", tmpPath, "cannot resume the blob write in \(tmpPath)") }
        if session != nil, flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            fd = -1
            throw HangarError.conflict("upload \(session!) is busy with another request; retry when it has finished")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw HangarError.system("fstat", tmpPath) }
        let size = Int64(st.st_size)
        guard size != bytesWritten || session == nil else { return }
        guard session != nil else {
            abort()
            throw HangarError.integrity("the partial upload in \(tmpPath) changed while suspended; start the upload again")
        }
        try rehash(size: size)
    }

    /// Restores the hash of a session from the bytes it holds.
    private func rehash(size: Int64) throws {
        let file = try OpenBlobFile(path: tmpPath, digest: Digest(sha256Bytes: [UInt8](repeating: 0, count: 32)))
        defer { close(file.fd) }
        let fresh = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while offset < size {
            let n = try file.read(into: buffer, at: offset)
            if n == 0 { break }
            fresh.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        hasher = fresh
        bytesWritten = offset
    }

    /// Checks, fsyncs and renames on a blocking-I/O thread (`BlockingIO`).
    func commit(expected: Digest?, expectedSize: Int64?) async throws -> StoredBlob {
        precondition(!finished, "commit after commit or abort")
        let me = Handoff(self)
        return try await BlockingIO.run {
            do {
                return try me.value.finish(expected: expected, expectedSize: expectedSize)
            } catch {
                me.value.abort()
                throw error
            }
        }
    }

    private func finish(expected: Digest?, expectedSize: Int64?) throws -> StoredBlob {
        try resume()
        let digest = hasher.finalize()
        if let expectedSize, expectedSize != bytesWritten {
            throw HangarError.integrity("size mismatch: declared \(expectedSize) bytes, received \(bytesWritten)")
        }
        if let expected, expected != digest {
            throw HangarError.integrity("digest mismatch: declared \(expected), content hashes to \(digest)")
        }
        let final = store.path(for: digest)
        // Already stored: the new bytes, just checked, still replace the file, so a blob
        // damaged on disk is repaired by the next honest upload of it instead of staying
        // behind an "already stored".
        let existed = Posix.lstat(final) != nil
        guard fsync(fd) == 0 else { throw HangarError.system("fsync", tmpPath) }
        guard fchmod(fd, 0o444) == 0 else { throw HangarError.system("chmod", tmpPath) }
        let fan = String(final[..<final.lastIndex(of: "/")!])
        if mkdir(fan, 0o755) == 0 {
            try Posix.syncDirectory(store.blobsRoot)
        } else if errno != EEXIST {
            throw HangarError.system("mkdir", fan)
        }
        guard rename(tmpPath, final) == 0 else { throw HangarError.system("rename", tmpPath) }
        finished = true
        // The bytes were just checked: seal the blob with its file's identity as it is now.
        var st = stat()
        if fstat(fd, &st) == 0 { store.seals.seal(digest, FileIdentity(st)) }
        close(fd)
        fd = -1
        try Posix.syncDirectory(fan)
        return StoredBlob(digest: digest, size: bytesWritten, created: !existed)
    }

    func abort() {
        if !finished { unlink(tmpPath) }
        if fd >= 0 { close(fd); fd = -1 }
        finished = true
    }
}
