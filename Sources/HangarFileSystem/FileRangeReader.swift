import HangarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHangarSystem

/// Reads a range of one file as it was when opened (the open descriptor keeps that file
/// even if it is replaced), with `pread` on a `BlockingIO` thread.
final class FileRangeReader: DriverReader {
    let object: DriverObject
    private let path: String
    private var fd: Int32
    private var position: Int64
    private let end: Int64

    /// Opens the file (`notFound` when absent); blocking.
    init(key: String, path: String, range: Range<Int64>?) throws {
        let fd = hangar_open_nofollow(path)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ELOOP { throw HangarError.notFound("\(key) is not in the store") }
            throw HangarError.system("open", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let failure = HangarError.system("fstat", path)
            Glibc.close(fd)
            throw failure
        }
        self.fd = fd
        self.path = path
        let object = DriverObject(key: key, st)
        self.object = object
        position = max(0, range?.lowerBound ?? 0)
        end = range.map { min($0.upperBound, object.size) } ?? object.size
    }

    deinit { close() }

    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        precondition(fd >= 0, "read after close")
        guard position < end, buffer.count > 0 else { return 0 }
        let want = Int(min(Int64(buffer.count), end - position))
        let target = Handoff(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        let (fd, at, path) = (fd, position, path)
        let n = try await BlockingIO.run { try Self.fill(fd, target.value, at: at, path: path) }
        position += Int64(n)
        return n
    }

    /// Fills `buffer` from `offset` as far as the file goes (short only at its end).
    private static func fill(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
            if n < 0 {
                if errno == EINTR { continue }
                throw HangarError.system("read", path)
            }
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }
}
