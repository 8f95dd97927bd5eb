#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HangarCore

/// A private temp file the remote client stages bytes in (an archive before its upload, a
/// blob while it downloads). It is created exclusively, readable only by us, and removed
/// by `remove()` or when the value goes away.
final class ScratchFile {
    let path: String
    private var fd: Int32
    /// Bytes written so far.
    private(set) var size: Int64 = 0

    /// Creates `<directory>/.<label>-<random>`.
    init(in directory: String, label: String) throws {
        let random = String(UInt64.random(in: .min ... .max), radix: 36)
        path = (directory.hasSuffix("/") ? directory : directory + "/") + ".\(label)-\(getpid())-\(random)"
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HangarError(.io, "cannot create a temp file in \(directory)", cause: SystemCallError("open", path: path, errno: errno))
        }
    }

    /// A scratch file in the system's temp folder ($TMPDIR, else /tmp).
    convenience init(label: String) throws {
        try self.init(in: NSTemporaryDirectory(), label: label)
    }

    deinit { remove() }

    /// Appends bytes, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw HangarError(.io, "cannot write the temp file \(path)", cause: SystemCallError("write", path: path, errno: errno))
            }
            left -= n
            base += n
            size += Int64(n)
        }
    }

    /// Stops writing (the file stays until `remove`).
    func closeForWriting() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Closes and deletes the file. Safe to call more than once.
    func remove() {
        closeForWriting()
        unlink(path)
    }
}
