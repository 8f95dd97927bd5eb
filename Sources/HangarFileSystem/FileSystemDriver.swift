import HangarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem
import Foundation

/// The blob driver of one folder on a local filesystem: the object at key `k` is the file
/// `<root>/k`. With `ContentAddressedStore` above it the folder looks like:
///
///     <root>/
///     ├── blobs/sha256/<first 2 hex>/<64 hex>    complete blobs, read-only (0444), never rewritten
///     ├── chunks/sha256/<first 2 hex>/<64 hex>   chunk tables (see ChunkTable)
///     └── tmp/
///         ├── upload-<pid>-<random>              a write in progress (its process is <pid>)
///         └── session-<id>                       the bytes of a durable upload session
///
/// Every blocking call runs on a `BlockingIO` thread. A commit fsyncs the file, makes it
/// read-only, renames it into place (atomic on one filesystem) and fsyncs the folder, so
/// a crash at any instant leaves either no file under the final name or the whole one.
public struct FileSystemDriver: BlobDriver {
    /// The folder every key lives under.
    public let root: String

    public init(root: String) throws {
        self.root = root
        try Posix.makeDirectories(root + "/tmp")
    }

    public var processLocal: Bool { true }

    /// The file of `key`.
    public func path(_ key: String) -> String { root + "/" + key }

    public func stat(_ key: String) async throws -> DriverObject? {
        let path = path(key)
        return try await BlockingIO.run { try Self.object(key, at: path) }
    }

    /// The object of the regular file at `path`; nil when absent, `integrity` when it is
    /// something else (a folder or a link where a blob should be).
    static func object(_ key: String, at path: String) throws -> DriverObject? {
        guard let st = Posix.lstat(path) else { return nil }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw HangarError.integrity("\(key) is not a regular file in the store")
        }
        return DriverObject(key: key, st)
    }

    public func reader(_ key: String, range: Range<Int64>?) async throws -> any DriverReader {
        let path = path(key)
        return try await BlockingIO.run { Handoff(try FileRangeReader(key: key, path: path, range: range)) }.value
    }

    public func appender(_ key: String, mode: AppendMode) async throws -> any DriverAppender {
        let appender = FileAppender(key: key, path: path(key), root: root, mode: mode)
        try await appender.open(creating: true)
        return appender
    }

    public func put(_ key: String, _ bytes: [UInt8]) async throws {
        let final = path(key)
        let temp = path("tmp/" + Posix.randomName("upload"))
        try await BlockingIO.run {
            do {
                try Posix.makeDirectories(String(final[..<final.lastIndex(of: "/")!]))
                try Data(bytes).write(to: URL(fileURLWithPath: temp))
                guard rename(temp, final) == 0 else { throw HangarError.system("rename", temp) }
            } catch {
                unlink(temp)
                throw error
            }
        }
    }

    public func get(_ key: String, limit: Int) async throws -> [UInt8]? {
        let path = path(key)
        return try await BlockingIO.run {
            guard let st = Posix.lstat(path) else { return nil }
            guard Int64(st.st_size) <= Int64(limit) else {
                throw HangarError(.limitExceeded, "\(key) is larger than \(limit) bytes")
            }
            return FileManager.default.contents(atPath: path).map { Array($0) }
        }
    }

    public func delete(_ key: String) async throws {
        let path = path(key)
        try await BlockingIO.run {
            if unlink(path) != 0 && errno != ENOENT { throw HangarError.system("unlink", path) }
        }
    }

    /// Walks the folders under the prefix in key order, skipping whole folders that lie
    /// before `after`.
    public func list(prefix: String, after: String?, limit: Int) async throws -> [DriverObject] {
        guard limit > 0 else { return [] }
        let root = self.root
        return try await BlockingIO.run {
            var out: [DriverObject] = []
            let folder = prefix.hasSuffix("/") ? String(prefix.dropLast()) : String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)])
            try Self.walk(root: root, folder: folder, prefix: prefix, after: after, limit: limit, into: &out)
            return out
        }
    }

    private static func walk(root: String, folder: String, prefix: String, after: String?, limit: Int,
                             into out: inout [DriverObject]) throws {
        for name in try listDirectory(folder.isEmpty ? root : root + "/" + folder).sorted() {
            let key = folder.isEmpty ? name : folder + "/" + name
            guard let st = Posix.lstat(root + "/" + key) else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                // A folder whose every key sorts before `after` is skipped whole.
                if let after, key + "/" < after, !after.hasPrefix(key + "/") { continue }
                guard (key + "/").hasPrefix(prefix) || prefix.hasPrefix(key + "/") else { continue }
                try walk(root: root, folder: key, prefix: prefix, after: after, limit: limit, into: &out)
            } else if st.st_mode & S_IFMT == S_IFREG, key.hasPrefix(prefix), after.map({ key > $0 }) ?? true {
                out.append(DriverObject(key: key, st))
            }
            if out.count == limit { return }
        }
    }

    /// A local disk has no URL to hand out.
    public func redirectURL(_ key: String, expiresIn: Duration) async throws -> String? { nil }

    /// Names in a folder, without `.` and `..`; none when it does not exist.
    static func listDirectory(_ path: String) throws -> [String] {
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

extension DriverObject {
    /// A file as `stat` gives it; its version changes with any write, truncation,
    /// replacement, chmod or rename (the change time cannot be set from user space).
    init(key: String, _ st: stat) {
        let modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        self.init(key: key, size: Int64(st.st_size), modified: Date(timeIntervalSince1970: Double(modified) / 1e9),
                  version: "\(st.st_ino)-\(st.st_size)-\(modified)-\(changed)")
    }
}
