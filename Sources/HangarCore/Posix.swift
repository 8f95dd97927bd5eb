#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem
import Foundation

/// Thin, throwing wrappers over the POSIX calls the stores, their drivers and the
/// extractor need.
public enum Posix {
    /// Creates `path` and any missing parents (mode 0755). Existing folders are fine.
    public static func makeDirectories(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw HangarError(.io, "cannot create folder \(path)", cause: error)
        }
    }

    /// fsyncs a folder so that a rename into it is durable.
    public static func syncDirectory(_ path: String) throws {
        let fd = hangar_open_directory(path)
        guard fd >= 0 else { throw HangarError.system("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw HangarError.system("fsync", path) }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw HangarError.system("write", path)
            }
            left -= n
            base += n
        }
    }

    /// Reads up to `buffer.count` bytes, retrying EINTR. Returns 0 at end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw HangarError.system("read", path)
        }
    }

    /// Size and type of the thing at `path`, not following a final symlink; nil if absent.
    public static func lstat(_ path: String) -> stat? {
        var st = stat()
        return Glibc.lstat(path, &st) == 0 ? st : nil
    }

    /// Removes a file or a whole folder tree; absent is fine.
    public static func removeTree(_ path: String) {
        // Read-only files inside read-only-free folders unlink fine; folders we made are writable.
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A random name component, unique enough for temp files of one store.
    public static func randomName(_ prefix: String) -> String {
        "\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt64.random(in: .min ... .max), radix: 36))"
    }
}
