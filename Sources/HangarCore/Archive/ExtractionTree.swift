#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// The fresh folder an archive is extracted into, and the path rules every entry must pass
/// before anything of it is written there.
///
/// Entry names must be relative, non-empty and free of `..` (`.` components and repeated
/// slashes are ignored). Every parent of an entry must be a real folder of this extraction:
/// never a symlink (nothing is written through a symlink) nor a file. Symlink targets must
/// be relative and stay inside the tree, lexically when written and, once all entries are
/// in, following every other symlink of the tree. Hard links must name an earlier regular
/// file of the archive. A path may appear again only with the same type (the last file or
/// symlink wins; folders merge). Nothing here follows a symlink: files are created with
/// O_CREAT|O_EXCL|O_NOFOLLOW.
final class ExtractionTree {
    enum Node: String {
        case folder, file, symlink
    }

    /// The folder being filled (the temp folder next to the target).
    let root: String
    private let rootBytes: [UInt8]
    private var nodes: [[UInt8]: Node] = [:]
    private var links = SymlinkResolver()

    init(root: String) {
        self.root = root
        rootBytes = Array(root.utf8)
    }

    /// The components of an entry's name, refused when the name is empty or absolute or has
    /// a `..` component. Empty for the root itself (`.`, `./`).
    static func normalise(_ name: [UInt8], _ display: String) throws -> [ArraySlice<UInt8>] {
        if name.isEmpty { throw HangarError.invalid("an entry has an empty name") }
        if name.first == ArchivePath.slash {
            throw HangarError.invalid("entry '\(display)' has an absolute path: entries must be relative to the target folder")
        }
        let components = name.split(separator: ArchivePath.slash)
        if components.contains(where: ArchivePath.isDotDot) {
            throw HangarError.invalid("entry '\(display)' has a '..' component: entries must stay inside the target folder")
        }
        return components.filter { !ArchivePath.isDot($0) }
    }

    /// Makes sure every parent of an entry is a real folder of this extraction, creating the
    /// missing ones.
    func prepareParents(_ components: [ArraySlice<UInt8>], _ display: String) throws {
        var prefix: [UInt8] = []
        for component in components.dropLast() {
            if !prefix.isEmpty { prefix.append(ArchivePath.slash) }
            prefix.append(contentsOf: component)
            switch nodes[prefix] {
            case .folder?:
                continue
            case .symlink?:
                throw HangarError.invalid("entry '\(display)' goes through the symlink '\(ArchivePath.display(prefix))': nothing is extracted through a symlink")
            case .file?:
                throw HangarError.invalid("entry '\(display)' goes through '\(ArchivePath.display(prefix))', which is a file")
            case nil:
                try createFolder(prefix)
                nodes[prefix] = .folder
            }
        }
    }

    /// Claims `path` for a node of `kind`. Returns true when a folder is already there (only
    /// for `.folder`); removes an earlier file or symlink that this entry replaces.
    func claim(_ path: [UInt8], as kind: Node, _ display: String) throws -> Bool {
        guard let existing = nodes[path] else {
            nodes[path] = kind
            return false
        }
        guard existing == kind else {
            throw HangarError.invalid("entry '\(display)' is a \(kind.rawValue), but an earlier entry made it a \(existing.rawValue)")
        }
        if kind == .folder { return true }
        try withPath(path) { full in
            guard unlink(full) == 0 else { throw HangarError.system("unlink", String(cString: full)) }
        }
        if kind == .symlink { links.remove(path: path) }
        return false
    }

    /// A folder entry (mode 0755).
    func makeFolder(_ components: [ArraySlice<UInt8>], _ display: String) throws {
        try prepareParents(components, display)
        let path = ArchivePath.join(components)
        if try !claim(path, as: .folder, display) { try createFolder(path) }
    }

    private func createFolder(_ path: [UInt8]) throws {
        try withPath(path) { full in
            guard mkdir(full, 0o700) == 0 else { throw HangarError.system("mkdir", String(cString: full)) }
            guard chmod(full, 0o755) == 0 else { throw HangarError.system("chmod", String(cString: full)) }
        }
    }

    /// Creates a new regular file (never following or reusing anything in its place) and
    /// returns it open for writing.
    func createFile(_ components: [ArraySlice<UInt8>], permissions: mode_t, _ display: String) throws -> Int32 {
        try prepareParents(components, display)
        let path = ArchivePath.join(components)
        _ = try claim(path, as: .file, display)
        return try withPath(path) { full in
            let fd = hangar_create_exclusive(full, 0o600)
            guard fd >= 0 else { throw HangarError.system("create", String(cString: full)) }
            guard fchmod(fd, permissions) == 0 else {
                close(fd)
                throw HangarError.system("chmod", String(cString: full))
            }
            return fd
        }
    }

    /// A symlink whose target is relative and, resolved from where it stands, stays inside.
    func makeSymlink(_ components: [ArraySlice<UInt8>], target: [UInt8], _ display: String) throws {
        if let problem = links.check(path: components, target: target, follow: false) {
            throw HangarError.invalid("symlink '\(display)' points to '\(ArchivePath.display(target))'\(problem.explanation)")
        }
        try prepareParents(components, display)
        let path = ArchivePath.join(components)
        _ = try claim(path, as: .symlink, display)
        try ArchivePath.withCString(base: target, relative: []) { cTarget in
            try withPath(path) { full in
                guard symlink(cTarget, full) == 0 else { throw HangarError.system("symlink", String(cString: full)) }
            }
        }
        links.add(path: path, target: target)
    }

    /// A hard link to a regular file extracted earlier from this archive.
    func makeHardLink(_ components: [ArraySlice<UInt8>], target: [UInt8], _ display: String) throws {
        let targetDisplay = ArchivePath.display(target)
        let targetComponents: [ArraySlice<UInt8>]
        do {
            targetComponents = try Self.normalise(target, targetDisplay)
        } catch {
            throw HangarError.invalid("hard link '\(display)' points to '\(targetDisplay)', outside the target folder")
        }
        let targetPath = ArchivePath.join(targetComponents)
        let path = ArchivePath.join(components)
        guard nodes[targetPath] == .file, targetPath != path else {
            throw HangarError.invalid("hard link '\(display)' points to '\(targetDisplay)', which is not an earlier regular file of the archive")
        }
        try prepareParents(components, display)
        _ = try claim(path, as: .file, display)
        try withPath(targetPath) { from in
            try withPath(path) { to in
                guard linkat(AT_FDCWD, from, AT_FDCWD, to, 0) == 0 else { throw HangarError.system("link", String(cString: to)) }
            }
        }
    }

    /// Once every entry is in: follows each symlink through all the others, so that links
    /// that each stay inside on their own cannot lead outside together.
    func verifySymlinks() throws {
        if let (path, target, problem) = links.firstEscape() {
            throw HangarError.invalid("symlink '\(ArchivePath.display(path))' points to '\(ArchivePath.display(target))'\(problem.explanation)")
        }
    }

    private func withPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) throws -> R {
        try ArchivePath.withCString(base: rootBytes, relative: path, body)
    }
}
