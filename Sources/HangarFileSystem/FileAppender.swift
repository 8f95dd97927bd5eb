import HangarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// A file written by appending, committed by a rename. A `.shared` one (an upload
/// session) holds an exclusive `flock` while open, so a second taker, in this process or
/// another, is refused as busy. Blocking calls run on `BlockingIO` threads.
final class FileAppender: DriverAppender {
    private let key: String
    private let path: String
    private let root: String
    private let mode: AppendMode
    private var fd: Int32 = -1
    private(set) var size: Int64 = 0
    private var finished = false

    init(key: String, path: String, root: String, mode: AppendMode) {
        self.key = key
        self.path = path
        self.root = root
        self.mode = mode
    }

    deinit {
        if mode == .exclusive { discard() } else { close() }
    }

    /// Opens (and for a new `.exclusive` write, creates) the file and learns its size.
    nonisolated(nonsending) func open(creating: Bool) async throws {
        let (path, mode, key) = (path, mode, key)
        let (fd, size) = try await BlockingIO.run { () throws -> (Int32, Int64) in
            let fd: Int32 = switch mode {
            case .exclusive: creating ? hangar_create_exclusive(path, 0o600) : hangar_open_append(path)
            case .shared: hangar_open_session(path)
            }
            guard fd >= 0 else { throw HangarError.system(creating ? "create" : "open", path, "cannot write \(key)") }
            if mode == .shared, flock(fd, LOCK_EX | LOCK_NB) != 0 {
                Glibc.close(fd)
                throw HangarError.conflict("\(key) is busy with another writer; retry when it has finished")
            }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let failure = HangarError.system("fstat", path)
                Glibc.close(fd)
                throw failure
            }
            return (fd, Int64(st.st_size))
        }
        self.fd = fd
        guard mode == .shared || creating || size == self.size else {
            discard()
            throw HangarError.integrity("the partial write \(key) changed while suspended; start it again")
        }
        self.size = size
    }

    /// Writes all of `bytes`; a failed write (disk full, EIO) cuts the file back to where
    /// it stood.
    nonisolated(nonsending) func append(_ bytes: UnsafeRawBufferPointer) async throws {
        precondition(!finished, "append after commit or discard")
        try await resume()
        let (fd, size, path) = (fd, size, path)
        let source = Handoff(bytes)
        let outcome = try await BlockingIO.run { () -> Result<Void, HangarError> in
            do {
                try Posix.writeAll(fd, source.value, path: path)
                return .success(())
            } catch {
                guard ftruncate(fd, off_t(size)) == 0 else {
                    return .failure(HangarError(.io, "a write to \(path) failed and could not be rolled back; it is abandoned", cause: error))
                }
                throw error
            }
        }
        if case .failure(let lost) = outcome {
            discard()
            throw lost
        }
        self.size += Int64(bytes.count)
    }

    /// Every append already reached the file: closing it (and its lock) is all.
    nonisolated(nonsending) func suspend() async throws { close() }

    private func close() {
        if fd >= 0 && !finished { Glibc.close(fd); fd = -1 }
    }

    nonisolated(nonsending) func resume() async throws {
        precondition(!finished, "resume after commit or discard")
        if fd < 0 { try await open(creating: false) }
    }

    nonisolated(nonsending) func commit(as key: String) async throws -> DriverObject {
        precondition(!finished, "commit after commit or discard")
        try await resume()
        let (fd, path, final) = (fd, path, root + "/" + key)
        let object = try await BlockingIO.run {
            guard fsync(fd) == 0 else { throw HangarError.system("fsync", path) }
            guard fchmod(fd, 0o444) == 0 else { throw HangarError.system("chmod", path) }
            let folder = String(final[..<final.lastIndex(of: "/")!])
            if mkdir(folder, 0o755) == 0 {
                try Posix.syncDirectory(String(folder[..<folder.lastIndex(of: "/")!]))
            } else if errno == ENOENT {
                try Posix.makeDirectories(folder)
            } else if errno != EEXIST {
                throw HangarError.system("mkdir", folder)
            }
            guard rename(path, final) == 0 else { throw HangarError.system("rename", path) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw HangarError.system("fstat", final) }
            try Posix.syncDirectory(folder)
            return DriverObject(key: key, st)
        }
        finished = true
        Glibc.close(fd)
        self.fd = -1
        return object
    }

    func discard() {
        if !finished { unlink(path) }
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        finished = true
    }
}
