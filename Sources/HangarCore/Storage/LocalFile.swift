#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// Reads a local file in large chunks (the CLI's input for `blob put`, `digest`, `extract`).
public final class LocalFileReader: ByteSource {
    public let path: String
    /// The file's size when opened; nil for standard input.
    public let length: Int64?
    private var fd: Int32

    /// Opens `path` for reading; "-" reads standard input.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = dup(STDIN_FILENO)
            length = nil
            return
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HangarError.system("open", path, "cannot open \(path)") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { Glibc.close(fd); throw HangarError.system("fstat", path) }
        guard st.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(fd)
            throw HangarError.invalid("\(path) is not a regular file")
        }
        length = Int64(st.st_size)
    }

    deinit { close() }

    /// Reads up to `buffer.count` bytes; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try Posix.read(fd, into: buffer, path: path)
    }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}

/// Writes a file so that it appears only when complete: into a temp file beside it,
/// fsynced, then renamed over the target. A failure leaves the target as it was.
public enum AtomicFileOutput {
    /// Calls `body` with a sink for the bytes. `path` "-" writes to standard output.
    public static func write(
        to path: String, mode: mode_t = 0o644,
        _ body: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        if path == "-" {
            try body { try Posix.writeAll(STDOUT_FILENO, $0, path: "standard output") }
            return
        }
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let tmp = "\(dir.isEmpty ? "/" : dir)/.\(name).\(Posix.randomName("partial"))"
        let fd = hangar_create_exclusive(tmp, mode)
        guard fd >= 0 else { throw HangarError.system("create", tmp, "cannot write next to \(path)") }
        do {
            try body { try Posix.writeAll(fd, $0, path: tmp) }
            guard fsync(fd) == 0 else { throw HangarError.system("fsync", tmp) }
            Glibc.close(fd)
            guard rename(tmp, path) == 0 else { throw HangarError.system("rename", path) }
        } catch {
            Glibc.close(fd)
            unlink(tmp)
            throw error
        }
    }
}
