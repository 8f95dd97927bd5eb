#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem
import Foundation

/// The default blob backend: one folder on a local filesystem.
///
/// Layout under the store root:
///
///     <root>/
///     ├── blobs/
///     │   └── sha256/
///     │       └── <first 2 hex>/
///     │           └── <64 hex>        complete blob, read-only (0444), never rewritten
///     ├── chunks/
///     │   └── sha256/<first 2 hex>/<64 hex>   the blob's chunk table (see ChunkTable), made on
///     │                                       its first ranged read; remade, never trusted, if damaged
///     └── tmp/
///         ├── upload-<pid>-<random>   a write in progress; never read as a blob;
///         │                           swept once <pid> is gone or after a day untouched
///         └── session-<id>            the bytes of a durable upload session so far, taken up
///                                     by any process; removed when the session ends or expires
///
/// A write streams into `tmp/`, hashing as it goes; on commit it is fsynced, its digest
/// and size checked against what the caller declared, made read-only, renamed to its
/// final name (atomic on one filesystem) and the fan-out folder fsynced. A crash at any
/// instant leaves either no file under the digest name or the whole blob.
public struct FileSystemBlobStore: BlobStore {
    /// The store root (`<root>/blobs`, `<root>/tmp`).
    public let root: String
    /// The blobs this process checked, with their files' identity then (`ReadVerification.atRest`).
    let seals = BlobSeals()

    public init(root: String) throws {
        self.root = root
        try Posix.makeDirectories(blobsRoot)
        try Posix.makeDirectories(tmpRoot)
    }

    /// Removes writes in `tmp/` whose process is gone (killed mid-write) or untouched for
    /// `maxAge`. Every process that opens the store does this once; `hangar serve` also
    /// does it periodically.
    @discardableResult
    public func sweepTemporary(maxAge: Double = 86_400) -> StaleTemporaries.Report {
        var report = StaleTemporaries.sweep(tmpRoot, prefix: "upload", maxAge: maxAge)
        // Upload sessions end (or expire, after at most a day idle) through the metadata;
        // a session file untouched for longer belongs to none.
        let orphans = StaleTemporaries.sweep(tmpRoot, prefix: "session", maxAge: maxAge, ownerInName: false)
        report.removed += orphans.removed
        report.bytes += orphans.bytes
        return report
    }

    var blobsRoot: String { root + "/blobs/sha256" }
    var tmpRoot: String { root + "/tmp" }

    /// Where the blob named by `digest` lives (whether or not it exists).
    public func path(for digest: Digest) -> String {
        "\(blobsRoot)/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    public func stat(_ digest: Digest) async throws -> Int64? {
        guard let st = Posix.lstat(path(for: digest)) else { return nil }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw HangarError.integrity("blob \(digest) is not a regular file in the store")
        }
        return Int64(st.st_size)
    }

    /// A whole blob is hashed as it is read (`FileBlobReader`). A range is read through
    /// the blob's chunk table, made on first use from a full, checked read
    /// (`ChunkVerifiedReader`): `integrity` at once when the blob is corrupt.
    public func reader(for digest: Digest, range: Range<Int64>?, verification: ReadVerification) async throws -> any BlobReader {
        guard let range else {
            return try FileBlobReader(path: path(for: digest), digest: digest, seals: seals, verification: verification)
        }
        let file = try OpenBlobFile(path: path(for: digest), digest: digest)
        do {
            guard !range.isEmpty, range.lowerBound >= 0, range.lowerBound < file.size else {
                throw HangarError.invalid("byte range \(range.lowerBound)..<\(range.upperBound) is outside blob \(digest) of \(file.size) bytes")
            }
            // Making the table reads the whole blob once: off the cooperative threads.
            let table = try await BlockingIO.run { try self.chunkTable(file) }
            return ChunkVerifiedReader(file: file, table: table, range: range)
        } catch {
            close(file.fd)
            throw error
        }
    }

    var chunksRoot: String { root + "/chunks/sha256" }

    /// Where the chunk table of `digest` is kept.
    func chunkTablePath(for digest: Digest) -> String {
        "\(chunksRoot)/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    /// The blob's chunk table: the stored one when it is undamaged and of the blob's
    /// current size, else made anew from a checked read of the whole blob and stored.
    func chunkTable(_ file: OpenBlobFile) throws -> ChunkTable {
        let path = chunkTablePath(for: file.digest)
        if let data = FileManager.default.contents(atPath: path), let table = ChunkTable.decode(Array(data)),
           table.blobSize == file.size {
            return table
        }
        let table = try ChunkTable.build(file)
        let folder = String(path[..<path.lastIndex(of: "/")!])
        try Posix.makeDirectories(folder)
        let temp = tmpRoot + "/" + Posix.randomName("chunks")
        do {
            try Data(table.encoded).write(to: URL(fileURLWithPath: temp))
            guard rename(temp, path) == 0 else { throw HangarError.system("rename", temp) }
        } catch {
            unlink(temp)  // the table is an optimisation: reading goes on without a stored one
        }
        return table
    }

    public func writer() async throws -> any BlobWriter {
        try FileBlobWriter(store: self)
    }

    public func sessionWriter(_ session: String) async throws -> any BlobWriter {
        try UploadSessionID.check(session)
        // Taking up a session may re-read all its bytes: off the cooperative threads.
        return try await BlockingIO.run { Handoff(try FileBlobWriter(store: self, session: session)) }.value
    }

    public func sessionSize(_ session: String) async throws -> Int64? {
        try UploadSessionID.check(session)
        return Posix.lstat(sessionPath(session)).map { Int64($0.st_size) }
    }

    public func removeSession(_ session: String) async throws {
        try UploadSessionID.check(session)
        let p = sessionPath(session)
        if unlink(p) != 0 && errno != ENOENT { throw HangarError.system("unlink", p) }
    }

    /// Where the bytes of upload session `id` are kept until it is committed.
    func sessionPath(_ id: String) -> String { tmpRoot + "/session-" + id }

    /// Walks the fan-out folders in order, from the one `after` is in.
    public func list(after: Digest?, limit: Int) async throws -> [BlobListing] {
        guard limit > 0 else { return [] }
        var out: [BlobListing] = []
        let start = after.map { String($0.hex.prefix(2)) } ?? ""
        for fan in try listDirectory(blobsRoot).filter({ $0.utf8.count == 2 && $0 >= start }).sorted() {
            let names = try listDirectory("\(blobsRoot)/\(fan)").filter { name in after.map { name > $0.hex } ?? true }.sorted()
            for name in names {
                guard let d = Digest.valid("sha256:" + name), d.hex.hasPrefix(fan), let st = Posix.lstat(path(for: d)),
                      st.st_mode & S_IFMT == S_IFREG else { continue }
                out.append(BlobListing(digest: d, size: Int64(st.st_size),
                                       modified: Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)))
                if out.count == limit { return out }
            }
        }
        return out
    }

    /// Files are read through `reader`: a filesystem has no URL to hand out.
    public func redirectURL(for digest: Digest, expiresIn: Duration) async throws -> String? { nil }

    public func delete(_ digest: Digest) async throws {
        let p = path(for: digest)
        if unlink(p) != 0 && errno != ENOENT { throw HangarError.system("unlink", p) }
        unlink(chunkTablePath(for: digest))
        seals.breakSeal(digest)
    }

    /// Names in a folder, without `.` and `..`.
    private func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw HangarError.system("opendir", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
