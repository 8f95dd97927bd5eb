#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibArchive

/// Extracts a tar archive (plain, gzip or zstd; ustar, pax or GNU) into a target folder
/// safely and atomically: it never writes outside the target, and the target changes in
/// one step only after every entry was written and the whole input was read.
///
/// The archive is unpacked into a fresh temp folder next to the target
/// (`<parent>/.<name>.hangar-tmp-<pid>-<random>`, swept once its process is gone), writing each file itself with
/// O_CREAT|O_EXCL|O_NOFOLLOW under the rules of `ExtractionTree`: no absolute paths, no
/// `..`, nothing through a symlink, symlinks and hard links only inside the tree, no
/// device nodes, fifos or sockets. Files become 0644, or 0755 when any execute bit is set;
/// folders 0755; setuid, setgid and sticky bits, owners and times are not restored. The
/// input is then read to its end (so a verifying blob reader checks the digest), the
/// files are flushed to disk, and the temp folder is exchanged with the target (or renamed
/// to it). On any error the temp folder is removed and the target is left as it was.
public struct SafeExtractor: Sendable {
    public var limits: ExtractionLimits

    public init(limits: ExtractionLimits = ExtractionLimits()) {
        self.limits = limits
    }

    /// Extracts the archive whose bytes `pull` yields (it fills the buffer it is given and
    /// returns how many bytes it wrote, 0 at the end: `BlobReader.read(into:)` fits) into
    /// `target`. Errors: `invalidInput` naming the offending entry, `limitExceeded` naming
    /// the entry and the limit, whatever `pull` throws (such as `integrity`), `io`.
    public func extract(
        into target: String,
        from pull: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> ExtractionSummary {
        let location = try ExtractionTarget(target)
        try location.makeTemp()
        do {
            let summary = try withoutActuallyEscaping(pull) { pull in
                try ArchiveLocale.withUTF8 { try unpack(pull, into: ExtractionTree(root: location.temp)) }
            }
            try location.commit()
            return summary
        } catch {
            location.discardTemp()
            throw error
        }
    }

    /// Extracts a blob read through `reader` (a whole-blob reader verifies its digest
    /// before the target changes), on a thread of its own. The reader is not closed.
    public func extract(_ reader: any BlobReader, into target: String) async throws -> ExtractionSummary {
        let source = Handoff(BlockingBlobSource(reader))
        return try await BlockingIO.dedicated { try extract(into: target, from: source.value.read) }
    }

    /// Extracts the archive file at `archivePath`.
    public func extract(archiveAt archivePath: String, into target: String) throws -> ExtractionSummary {
        let fd = open(archivePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HangarError.system("open", archivePath, "cannot open archive \(archivePath)") }
        defer { close(fd) }
        return try extract(into: target, from: { try Posix.read(fd, into: $0, path: archivePath) })
    }

    private func unpack(
        _ pull: @escaping (UnsafeMutableRawBufferPointer) throws -> Int, into tree: ExtractionTree
    ) throws -> ExtractionSummary {
        let reader = try TarStreamReader(pull: pull)
        var budget = ExtractionBudget(limits)
        var files = 0
        while let entry = try reader.next() {
            let name = Self.name(of: entry)
            let display = ArchivePath.display(name)
            let declared = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
            try budget.admit(display, declaredSize: declared)
            let components = try ExtractionTree.normalise(name, display)
            if try extractEntry(entry, components, display, declared, reader, tree, &budget) { files += 1 }
        }
        try reader.drain()
        try tree.verifySymlinks()
        return ExtractionSummary(entries: budget.entries, files: files, bytes: budget.writtenBytes)
    }

    /// Writes one entry; true when it made a regular file.
    private func extractEntry(
        _ entry: OpaquePointer, _ components: [ArraySlice<UInt8>], _ display: String, _ declared: Int64,
        _ reader: TarStreamReader, _ tree: ExtractionTree, _ budget: inout ExtractionBudget
    ) throws -> Bool {
        let type = mode_t(archive_entry_filetype(entry))
        if components.isEmpty {
            // `.` or `./`: the target folder itself, which the extraction creates.
            guard type == S_IFDIR else { throw HangarError.invalid("entry '\(display)' names the target folder itself but is not a folder") }
            return false
        }
        if let link = archive_entry_hardlink(entry) {
            try tree.makeHardLink(components, target: Self.bytes(link), display)
            return true
        }
        switch type {
        case S_IFDIR:
            try tree.makeFolder(components, display)
            return false
        case S_IFREG:
            let permissions: mode_t = archive_entry_perm(entry) & 0o111 != 0 ? 0o755 : 0o644
            let fd = try tree.createFile(components, permissions: permissions, display)
            defer { close(fd) }
            try copyData(to: fd, display, declared, reader, &budget)
            return true
        case S_IFLNK:
            guard let target = archive_entry_symlink(entry) else { throw HangarError.invalid("symlink '\(display)' has no target") }
            try tree.makeSymlink(components, target: Self.bytes(target), display)
            return false
        case S_IFCHR, S_IFBLK: throw refusal(display, "a device node")
        case S_IFIFO: throw refusal(display, "a fifo")
        case S_IFSOCK: throw refusal(display, "a socket")
        default: throw refusal(display, "of an unknown type (\(String(type, radix: 8)))")
        }
    }

    private func refusal(_ display: String, _ what: String) -> HangarError {
        HangarError.invalid("entry '\(display)' is \(what): only folders, regular files, symlinks and hard links are extracted")
    }

    /// Streams the current entry's data into `fd`, block by block, within its declared size
    /// and the limits; holes of a sparse entry stay holes.
    private func copyData(
        to fd: Int32, _ display: String, _ declared: Int64, _ reader: TarStreamReader, _ budget: inout ExtractionBudget
    ) throws {
        var position: Int64 = 0
        var written: Int64 = 0
        while let (bytes, offset) = try reader.nextBlock(of: display) {
            if bytes.isEmpty { continue }
            let end = offset + Int64(bytes.count)
            guard offset >= position, end <= declared else {
                throw HangarError.invalid("entry '\(display)' has data outside its declared size of \(declared) bytes")
            }
            try budget.write(display, bytes.count, entryWritten: written)
            if offset != position, lseek(fd, off_t(offset), SEEK_SET) < 0 { throw HangarError.system("lseek", display) }
            try Posix.writeAll(fd, bytes, path: display)
            position = end
            written += Int64(bytes.count)
        }
        if position < declared, ftruncate(fd, off_t(declared)) != 0 { throw HangarError.system("ftruncate", display) }
    }

    private static func name(of entry: OpaquePointer) -> [UInt8] {
        if let name = archive_entry_pathname(entry) { return bytes(name) }
        if let name = archive_entry_pathname_utf8(entry) { return bytes(name) }
        return []
    }

    private static func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
    }
}
