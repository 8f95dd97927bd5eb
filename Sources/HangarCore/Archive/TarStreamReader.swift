import CLibArchive

/// A libarchive reader of a tar (ustar, pax or GNU) stream, plain or gzip or zstd
/// compressed, pulling its bytes from a closure through one reused buffer.
final class TarStreamReader {
    static let bufferSize = 1 << 20

    private let archive: OpaquePointer
    private let pull: (UnsafeMutableRawBufferPointer) throws -> Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// The first error the pull closure threw; libarchive only sees "-1".
    private var pullError: (any Error)?
    /// Whether the pull closure has returned 0 (its end).
    private(set) var reachedEnd = false

    init(pull: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        guard let archive = archive_read_new() else { throw HangarError(.internal, "libarchive could not allocate a reader") }
        self.archive = archive
        self.pull = pull
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
        archive_read_support_filter_gzip(archive)
        archive_read_support_filter_zstd(archive)
        archive_read_support_format_tar(archive)
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = archive_read_open(archive, context, nil, { _, context, out in
            let reader = Unmanaged<TarStreamReader>.fromOpaque(context!).takeUnretainedValue()
            return reader.fill(out!)
        }, nil)
        if status != ARCHIVE_OK { throw failure("open the archive") }
    }

    deinit {
        archive_read_free(archive)
        buffer.deallocate()
    }

    private func fill(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if reachedEnd { return 0 }
        do {
            let n = try pull(buffer)
            if n == 0 { reachedEnd = true }
            out.pointee = UnsafeRawPointer(buffer.baseAddress)
            return n
        } catch {
            if pullError == nil { pullError = error }
            return -1
        }
    }

    /// The next entry's header, or nil after the last one. The entry is valid until the
    /// next call.
    func next() throws -> OpaquePointer? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        switch status {
        case ARCHIVE_OK, ARCHIVE_WARN: return entry
        case ARCHIVE_EOF: return nil
        default: throw failure("read the next entry")
        }
    }

    /// The next block of the current entry's data and its offset in the file (offsets
    /// jump over holes of sparse entries); nil at the end of the entry.
    func nextBlock(of name: String) throws -> (bytes: UnsafeRawBufferPointer, offset: Int64)? {
        var pointer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        let status = archive_read_data_block(archive, &pointer, &size, &offset)
        switch status {
        case ARCHIVE_OK, ARCHIVE_WARN: return (UnsafeRawBufferPointer(start: pointer, count: size), offset)
        case ARCHIVE_EOF: return nil
        default: throw failure("read the data of entry '\(name)'")
        }
    }

    /// Pulls whatever is left after the archive's end until the closure says it is done,
    /// so that a verifying blob reader gets to check the whole blob.
    func drain() throws {
        while !reachedEnd {
            if try pull(buffer) == 0 { reachedEnd = true }
        }
    }

    /// What the pull closure threw, or libarchive's complaint about the archive.
    private func failure(_ what: String) -> any Error {
        if let pullError { return pullError }
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
        return HangarError.invalid("cannot \(what): the archive is damaged or not a tar archive (\(detail))")
    }
}
