#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing found in a folder being archived.
struct SourceEntry {
    enum Kind {
        case directory
        case file(executable: Bool)
        case symlink(target: [UInt8])
    }

    /// Relative to the root, `/`-separated, no `./` prefix, no trailing slash.
    var path: [UInt8]
    var kind: Kind

    var isFolder: Bool {
        if case .directory = kind { return true }
        return false
    }
}

/// The entries of a folder (or of a single file) to archive, sorted by stored name bytes and
/// checked: only folders, regular files and symlinks that stay inside the tree.
final class SourceTree {
    /// The path as given, for messages.
    let root: String
    /// The root folder, open; -1 when the input is a single file.
    private var rootFd: Int32
    private(set) var entries: [SourceEntry] = []

    init(_ path: String) throws {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        root = trimmed
        var st = stat()
        guard stat(trimmed, &st) == 0 else {
            throw HangarError.system("stat", trimmed, "cannot archive \(trimmed)")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            rootFd = Glibc.open(trimmed, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard rootFd >= 0 else { throw HangarError.system("open", trimmed, "cannot open folder \(trimmed)") }
            do {
                try scanDirectory([])
                try checkSymlinks()
            } catch {
                // Closed here and marked, so that deinit (which may run for a throwing
                // init once every property is set) cannot close a reused descriptor.
                close(rootFd)
                rootFd = -1
                throw error
            }
            entries.sort { ArchivePath.precedes($0.path, folder: $0.isFolder, $1.path, folder: $1.isFolder) }
        case S_IFREG:
            rootFd = -1
            let name = Array(trimmed.utf8.split(separator: ArchivePath.slash).last ?? [])
            entries = [SourceEntry(path: name, kind: .file(executable: st.st_mode & 0o111 != 0))]
        default:
            throw HangarError.invalid("\(trimmed) is neither a folder nor a regular file: only those can be archived")
        }
    }

    deinit {
        if rootFd >= 0 { close(rootFd) }
    }

    /// The full path of an entry, for messages.
    func fullPath(_ relative: [UInt8]) -> String {
        rootFd < 0 ? root : root + "/" + ArchivePath.display(relative)
    }

    /// Opens a regular file entry for reading, refusing to follow a symlink put in its place.
    func openFile(_ entry: SourceEntry) throws -> Int32 {
        let fd: Int32
        if rootFd < 0 {
            fd = Glibc.open(root, O_RDONLY | O_CLOEXEC)
        } else {
            fd = ArchivePath.withCString(base: [], relative: entry.path) {
                openat(rootFd, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            }
        }
        guard fd >= 0 else { throw HangarError(.io, "cannot read \(fullPath(entry.path))", cause: lastError("open", entry)) }
        return fd
    }

    func lastError(_ call: String, _ entry: SourceEntry) -> SystemCallError {
        SystemCallError(call, path: fullPath(entry.path), errno: errno)
    }

    /// Lists one folder (relative path, empty for the root) and, after closing it, its subfolders.
    private func scanDirectory(_ relative: [UInt8]) throws {
        let fd = relative.isEmpty
            ? dup(rootFd)
            : ArchivePath.withCString(base: [], relative: relative) {
                openat(rootFd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
        guard fd >= 0, let dir = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            throw HangarError(.io, "cannot read folder \(fullPath(relative))",
                              cause: SystemCallError("opendir", path: fullPath(relative), errno: errno))
        }
        var subfolders: [[UInt8]] = []
        do {
            try readEntries(dir, relative, &subfolders)
        } catch {
            closedir(dir)
            throw error
        }
        closedir(dir)
        for folder in subfolders { try scanDirectory(folder) }
    }

    private func readEntries(_ dir: OpaquePointer, _ relative: [UInt8], _ subfolders: inout [[UInt8]]) throws {
        let dfd = dirfd(dir)
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 {
                    throw HangarError(.io, "cannot read folder \(fullPath(relative))",
                                      cause: SystemCallError("readdir", path: fullPath(relative), errno: errno))
                }
                return
            }
            try withUnsafePointer(to: &ent.pointee.d_name) { raw in
                let name = UnsafeRawPointer(raw).assumingMemoryBound(to: CChar.self)
                let count = strlen(name)
                if (count == 1 && name[0] == 0x2e) || (count == 2 && name[0] == 0x2e && name[1] == 0x2e) { return }
                let path = ArchivePath.child(relative, UnsafeRawBufferPointer(start: name, count: count))
                if let entry = try describe(dfd, name, path) {
                    if case .directory = entry.kind { subfolders.append(path) }
                    entries.append(entry)
                }
            }
        }
    }

    /// Stats one name in an open folder and turns it into an entry (or refuses it).
    private func describe(_ dfd: Int32, _ name: UnsafePointer<CChar>, _ path: [UInt8]) throws -> SourceEntry? {
        var st = stat()
        guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return nil }  // removed while we listed the folder
            throw HangarError(.io, "cannot stat \(fullPath(path))", cause: SystemCallError("lstat", path: fullPath(path), errno: errno))
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return SourceEntry(path: path, kind: .directory)
        case S_IFREG: return SourceEntry(path: path, kind: .file(executable: st.st_mode & 0o111 != 0))
        case S_IFLNK: return SourceEntry(path: path, kind: .symlink(target: try readLink(dfd, name, path)))
        case S_IFIFO: throw refusal(path, "a fifo (named pipe)")
        case S_IFSOCK: throw refusal(path, "a socket")
        case S_IFCHR: throw refusal(path, "a character device")
        case S_IFBLK: throw refusal(path, "a block device")
        default: throw refusal(path, "of an unknown file type")
        }
    }

    private func refusal(_ path: [UInt8], _ what: String) -> HangarError {
        HangarError.invalid("\(fullPath(path)) is \(what): only folders, regular files and symlinks inside the tree can be archived")
    }

    private func readLink(_ dfd: Int32, _ name: UnsafePointer<CChar>, _ path: [UInt8]) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBufferPointer {
            readlinkat(dfd, name, UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count)
        }
        guard n >= 0 else {
            throw HangarError(.io, "cannot read symlink \(fullPath(path))", cause: SystemCallError("readlink", path: fullPath(path), errno: errno))
        }
        let target = Array(buffer[0..<n])
        let components = path.split(separator: ArchivePath.slash)
        if let problem = SymlinkResolver().check(path: components, target: target, follow: false) {
            throw symlinkRefusal(path, target, problem)
        }
        return target
    }

    private func symlinkRefusal(_ path: [UInt8], _ target: [UInt8], _ problem: SymlinkProblem) -> HangarError {
        HangarError.invalid("symlink \(fullPath(path)) points to '\(ArchivePath.display(target))'\(problem.explanation)")
    }

    /// Follows every symlink through the others: a chain of links, each inside on its own,
    /// must not lead outside either.
    private func checkSymlinks() throws {
        var resolver = SymlinkResolver()
        for entry in entries {
            if case .symlink(let target) = entry.kind { resolver.add(path: entry.path, target: target) }
        }
        if let (path, target, problem) = resolver.firstEscape() {
            throw symlinkRefusal(path, target, problem)
        }
    }
}
