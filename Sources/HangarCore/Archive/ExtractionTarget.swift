#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// Where an extraction ends up, and the temp folder next to it that is filled first and
/// then swapped into place in one step.
struct ExtractionTarget {
    /// The target folder (trailing slashes removed).
    let path: String
    let parent: String
    /// `<parent>/.<name>.hangar-tmp-<pid>-<random>`, on the same filesystem as the target.
    let temp: String
    /// The prefix of every temp folder of this target (`.<name>.hangar-tmp`).
    let tempPrefix: String

    init(_ target: String) throws {
        var trimmed = target
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let name = trimmed.split(separator: "/").last.map(String.init) ?? ""
        guard !name.isEmpty, name != ".", name != ".." else {
            throw HangarError.invalid("extraction target '\(target)' must name a folder (not '/', '.' or '..')")
        }
        path = trimmed
        if let slash = trimmed.lastIndex(of: "/") {
            parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        } else {
            parent = "."
        }
        tempPrefix = ".\(name).hangar-tmp"
        temp = (parent == "/" ? "" : parent) + "/" + Posix.randomName(tempPrefix)
        try checkTarget()
    }

    /// The target may be absent or a real folder; anything else is refused.
    func checkTarget() throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw HangarError.system("lstat", path)
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw HangarError.invalid("extraction target \(path) exists and is not a folder (a symlink or a file): refusing to replace it")
        }
    }

    /// Creates the temp folder (and the target's missing parents), readable only by us
    /// until it is swapped in.
    func makeTemp() throws {
        try Posix.makeDirectories(parent)
        // What an extraction into the same target left when its process was killed.
        StaleTemporaries.sweep(parent, prefix: tempPrefix, maxAge: 3600)
        guard mkdir(temp, 0o700) == 0 else {
            throw HangarError.system("mkdir", temp, "cannot create a temp folder next to \(path)")
        }
    }

    /// Flushes the extracted files to disk, then puts the temp folder in the target's place:
    /// an atomic exchange when the target exists (its old tree is then removed), a rename
    /// otherwise. The parent folder is fsynced so the switch itself is durable.
    func commit() throws {
        let fd = hangar_open_directory(temp)
        guard fd >= 0 else { throw HangarError.system("open", temp) }
        defer { close(fd) }
        guard fchmod(fd, 0o755) == 0 else { throw HangarError.system("chmod", temp) }
        guard hangar_syncfs(fd) == 0 else { throw HangarError.system("syncfs", temp) }
        try checkTarget()
        var st = stat()
        if lstat(path, &st) == 0 {
            try exchange()
            Posix.removeTree(temp)  // the old tree, now under the temp name
        } else {
            guard rename(temp, path) == 0 else { throw HangarError.system("rename", temp, "cannot move the extracted tree to \(path)") }
        }
        try Posix.syncDirectory(parent)
    }

    private func exchange() throws {
        if hangar_rename_exchange(temp, path) == 0 { return }
        guard errno == ENOSYS || errno == EINVAL || errno == ENOTSUP else {
            throw HangarError.system("renameat2", path, "cannot swap the extracted tree into \(path)")
        }
        // No RENAME_EXCHANGE on this filesystem: two renames, with a short window in which
        // the target is absent (never half-written).
        let old = temp + ".old"
        guard rename(path, old) == 0 else { throw HangarError.system("rename", path) }
        guard rename(temp, path) == 0 else {
            let failure = HangarError.system("rename", temp, "cannot move the extracted tree to \(path)")
            rename(old, path)
            throw failure
        }
        guard rename(old, temp) == 0 else { throw HangarError.system("rename", old) }
    }

    /// Removes the temp folder and everything in it (after a failure).
    func discardTemp() {
        Posix.removeTree(temp)
    }
}
