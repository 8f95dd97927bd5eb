#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What archiving a tree produced.
public struct ArchiveSummary: Sendable, Hashable {
    /// Entries written (folders, files and symlinks; the root folder itself is not one).
    public var entries: Int
    /// Bytes of file content read.
    public var inputBytes: Int64
    /// Bytes handed to the sink (the archive's size).
    public var outputBytes: Int64

    public init(entries: Int, inputBytes: Int64, outputBytes: Int64) {
        self.entries = entries
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
    }
}

/// Turns a folder or a single file into Hangar's deterministic artifact archive: a
/// restricted-pax tar stream (optionally zstd or gzip compressed) whose bytes depend only
/// on the tree's names, contents, types, executable bits and symlink targets.
///
/// Entries are sorted by the bytes of their stored names; folders are included (named
/// relative to the root, no `./`; libarchive stores a folder's name with the usual tar
/// trailing `/`, and the sort uses that name, so `a-b` < `a/` < `a/x`); a single file
/// becomes one entry named by its base name. Every entry has mtime 0, uid/gid 0 and no owner names; folders are 0755, files
/// 0755 when any execute bit is set and 0644 otherwise; symlinks are kept only when their
/// target is relative and stays inside the tree; hard links become regular files. Fifos,
/// sockets and devices are refused. The archive is streamed to a sink as it is produced:
/// no temp file, memory flat whatever the file sizes.
public struct DeterministicArchiver: Sendable {
    /// Size of the buffer file data is read through.
    static let chunkSize = 1 << 20

    public var compression: ArchiveCompression

    public init(compression: ArchiveCompression = .zstd) {
        self.compression = compression
    }

    /// Archives the folder or file at `path`, handing the archive bytes to `sink` in order.
    ///
    /// `progress` is called with the total bytes of file content read so far, after each
    /// chunk. On error the bytes already given to the sink are not a valid archive and must
    /// be discarded. Errors: `invalidInput` for what cannot be archived (naming the path),
    /// `io` for what cannot be read, whatever `sink` throws.
    public func archive(
        _ path: String,
        into sink: (UnsafeRawBufferPointer) throws -> Void,
        progress: ((Int64) -> Void)? = nil
    ) throws -> ArchiveSummary {
        let tree = try SourceTree(path)
        return try withoutActuallyEscaping(sink) { sink in
            try ArchiveLocale.withUTF8 {
                let writer = try TarStreamWriter(compression: compression, sink: sink)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 64)
                defer { buffer.deallocate() }
                var inputBytes: Int64 = 0
                for entry in tree.entries {
                    try write(entry, of: tree, to: writer, buffer: buffer, inputBytes: &inputBytes, progress: progress)
                }
                try writer.finish()
                return ArchiveSummary(entries: tree.entries.count, inputBytes: inputBytes, outputBytes: writer.outputBytes)
            }
        }
    }

    /// The digest and size of the archive of `path`, without storing it.
    public func digest(of path: String) throws -> (digest: Digest, size: Int64) {
        let hasher = SHA256Hasher()
        let summary = try archive(path, into: { hasher.update($0) })
        return (hasher.finalize(), summary.outputBytes)
    }

    private func write(
        _ entry: SourceEntry, of tree: SourceTree, to writer: TarStreamWriter,
        buffer: UnsafeMutableRawBufferPointer, inputBytes: inout Int64, progress: ((Int64) -> Void)?
    ) throws {
        switch entry.kind {
        case .directory:
            try writer.writeHeader(path: entry.path, type: UInt32(S_IFDIR), permissions: 0o755, size: 0)
        case .symlink(let target):
            try writer.writeHeader(path: entry.path, type: UInt32(S_IFLNK), permissions: 0o777, size: 0, symlink: target)
        case .file:
            try writeFile(entry, of: tree, to: writer, buffer: buffer, inputBytes: &inputBytes, progress: progress)
        }
    }

    /// Writes a regular file: its size and executable bit come from the open file itself,
    /// and exactly that many bytes are archived.
    private func writeFile(
        _ entry: SourceEntry, of tree: SourceTree, to writer: TarStreamWriter,
        buffer: UnsafeMutableRawBufferPointer, inputBytes: inout Int64, progress: ((Int64) -> Void)?
    ) throws {
        let fd = try tree.openFile(entry)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw HangarError(.io, "cannot stat \(tree.fullPath(entry.path))", cause: tree.lastError("fstat", entry)) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw HangarError.invalid("\(tree.fullPath(entry.path)) changed into something other than a regular file while it was archived")
        }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        let size = Int64(st.st_size)
        let permissions: UInt32 = st.st_mode & 0o111 != 0 ? 0o755 : 0o644
        try writer.writeHeader(path: entry.path, type: UInt32(S_IFREG), permissions: permissions, size: size)
        var remaining = size
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let n = Glibc.read(fd, buffer.baseAddress, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw HangarError(.io, "cannot read \(tree.fullPath(entry.path))", cause: tree.lastError("read", entry))
            }
            if n == 0 {
                throw HangarError(.io, "\(tree.fullPath(entry.path)) shrank while it was archived (\(remaining) of \(size) bytes missing)")
            }
            try writer.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= Int64(n)
            inputBytes += Int64(n)
            progress?(inputBytes)
        }
    }
}
