#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// An open blob file and its size, shared by the whole-blob and ranged readers.
struct OpenBlobFile {
    let path: String
    let digest: Digest
    let fd: Int32
    let size: Int64
    let identity: FileIdentity

    init(path: String, digest: Digest) throws {
        self.path = path
        self.digest = digest
        let fd = hangar_open_nofollow(path)
        guard fd >= 0 else {
            if errno == ENOENT { throw HangarError.notFound("blob \(digest) is not in the store") }
            throw HangarError.system("open", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let failure = HangarError.system("fstat", path)
            close(fd)
            throw failure
        }
        self.fd = fd
        self.size = Int64(st.st_size)
        self.identity = FileIdentity(st)
    }

    /// Reads up to `buffer.count` bytes at `offset`; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw HangarError.system("read", path) }
        }
    }
}

/// Reads a whole stored blob, hashing as it goes; at the end it throws `integrity` when the
/// bytes did not hash to the blob's digest (or the file ended early). The verdict sticks:
/// a caller that reads again after a failure (libarchive does) gets the same error.
/// With `seals`, a blob sealed with its file's current identity is read without hashing;
/// otherwise a match seals it and a mismatch breaks any seal it had.
final class FileBlobReader: BlobReader {
    let digest: Digest
    let length: Int64
    private let file: OpenBlobFile
    private var offset: Int64 = 0
    private let hasher: SHA256Hasher?
    private let seals: BlobSeals?
    private var verified = false
    private var failure: HangarError?
    private var closed = false

    init(path: String, digest: Digest, seals: BlobSeals? = nil, verification: ReadVerification = .everyByte) throws {
        file = try OpenBlobFile(path: path, digest: digest)
        self.digest = digest
        self.seals = seals
        length = file.size
        let trusted = verification == .atRest && (seals?.holds(digest, file.identity) ?? false)
        hasher = trusted ? nil : SHA256Hasher()
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(!closed, "read after close")
        if let failure { throw failure }
        guard offset < length, buffer.count > 0 else { return try finish() }
        let want = Int(min(Int64(buffer.count), length - offset))
        let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset)
        if n == 0 { return try finish() }
        hasher?.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        offset += Int64(n)
        return n
    }

    private func finish() throws -> Int {
        guard !verified else { return 0 }
        verified = true
        if offset < length {
            failure = HangarError.integrity("blob \(digest) is truncated: \(length - offset) bytes missing")
        } else if let hasher {
            let actual = hasher.finalize()
            if actual != digest { failure = HangarError.integrity("blob \(digest) is corrupt: its bytes hash to \(actual)") }
        }
        if let failure {
            seals?.breakSeal(digest)
            throw failure
        }
        if hasher != nil { seals?.seal(digest, file.identity) }
        return 0
    }

    func close() {
        if !closed { Glibc.close(file.fd); closed = true }
    }
}
