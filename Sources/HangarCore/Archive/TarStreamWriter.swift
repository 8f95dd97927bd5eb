import CLibArchive

/// A libarchive writer producing a restricted-pax tar stream, compressed or not, that
/// hands its output to a sink closure as it is produced.
final class TarStreamWriter {
    /// Bytes libarchive gathers before calling the sink (the last block is not padded).
    static let blockSize: Int32 = 1 << 20

    private let archive: OpaquePointer
    private let entry: OpaquePointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    /// The first error the sink threw; libarchive only sees "-1".
    private var sinkError: (any Error)?
    private(set) var outputBytes: Int64 = 0
    private var open = false

    init(compression: ArchiveCompression, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let archive = archive_write_new() else { throw HangarError(.internal, "libarchive could not allocate a writer") }
        guard let entry = archive_entry_new() else {
            archive_write_free(archive)
            throw HangarError(.internal, "libarchive could not allocate an entry")
        }
        self.archive = archive
        self.entry = entry
        self.sink = sink
        try configure(compression)
        try openStream()
    }

    deinit {
        // Abandoned after an error: free must not finish the archive into the sink.
        if open { archive_write_fail(archive) }
        archive_entry_free(entry)
        archive_write_free(archive)
    }

    private func configure(_ compression: ArchiveCompression) throws {
        try check(archive_write_set_format_pax_restricted(archive), "select the pax format")
        switch compression {
        case .zstd:
            try check(archive_write_add_filter_zstd(archive), "use built-in zstd")
            try check(archive_write_set_filter_option(archive, "zstd", "compression-level", "3"), "set the zstd level")
            // One worker thread: compression overlaps reading and hashing. zstd's multi-
            // threaded format gives the same bytes for any number of workers >= 1 (not the
            // same as 0 workers), so this is fixed, never tuned to the machine.
            try check(archive_write_set_filter_option(archive, "zstd", "threads", "1"), "use one zstd worker thread")
        case .gzip:
            try check(archive_write_add_filter_gzip(archive), "use built-in gzip")
            // No timestamp in the gzip header (and libarchive writes no file name).
            try check(archive_write_set_options(archive, "gzip:!timestamp"), "drop the gzip timestamp")
        case .none:
            break
        }
        try check(archive_write_set_bytes_per_block(archive, Self.blockSize), "set the block size")
        try check(archive_write_set_bytes_in_last_block(archive, 1), "leave the last block unpadded")
    }

    private func openStream() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = archive_write_open2(archive, context, nil, { _, context, buffer, length in
            let writer = Unmanaged<TarStreamWriter>.fromOpaque(context!).takeUnretainedValue()
            return writer.deliver(UnsafeRawBufferPointer(start: buffer, count: length))
        }, nil, nil)
        try check(status, "start the archive")
        open = true
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Int {
        do {
            try sink(bytes)
            outputBytes += Int64(bytes.count)
            return bytes.count
        } catch {
            if sinkError == nil { sinkError = error }
            return -1
        }
    }

    /// Writes one entry's header with Hangar's fixed metadata: mtime 0, uid/gid 0, no
    /// owner names, the given permission bits and no timestamps other than mtime.
    func writeHeader(path: [UInt8], type: UInt32, permissions: UInt32, size: Int64, symlink: [UInt8]? = nil) throws {
        archive_entry_clear(entry)
        ArchivePath.withCString(base: path, relative: []) { archive_entry_copy_pathname(entry, $0) }
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_mtime(entry, 0, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_size(entry, size)
        if let symlink {
            ArchivePath.withCString(base: symlink, relative: []) { archive_entry_copy_symlink(entry, $0) }
        }
        // ARCHIVE_WARN is a name that is not valid UTF-8, stored as pax binary: fine.
        try check(archive_write_header(archive, entry), "write the header of '\(ArchivePath.display(path))'", allowWarning: true)
    }

    /// Appends file data to the current entry.
    func writeData(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = archive_write_data(archive, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { try fail("write file data") }
            offset += n
        }
    }

    /// Writes the end of the archive and flushes every filter into the sink.
    func finish() throws {
        guard open else { return }
        open = false
        try check(archive_write_close(archive), "finish the archive")
    }

    private func check(_ status: Int32, _ what: String, allowWarning: Bool = false) throws {
        if status == ARCHIVE_OK || (allowWarning && status == ARCHIVE_WARN) { return }
        try fail(what)
    }

    private func fail(_ what: String) throws -> Never {
        if let sinkError { throw sinkError }
        let detail = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        throw HangarError(.internal, "libarchive could not \(what): \(detail)")
    }
}
