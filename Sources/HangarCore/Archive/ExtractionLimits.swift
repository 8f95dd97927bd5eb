/// How much one extraction may write before it is refused with `limitExceeded`.
///
/// Each limit is checked against the size an entry's header declares, before anything of
/// it is written, and again against the bytes actually written.
public struct ExtractionLimits: Sendable, Hashable {
    /// Total bytes of file content (default 64 GiB).
    public var maxTotalBytes: Int64
    /// Number of entries of any type (default 1,000,000).
    public var maxEntries: Int
    /// Bytes of one entry (default: `maxTotalBytes`).
    public var maxEntrySize: Int64

    public init(maxTotalBytes: Int64 = 64 << 30, maxEntries: Int = 1_000_000, maxEntrySize: Int64? = nil) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxEntrySize = maxEntrySize ?? maxTotalBytes
    }
}

/// What an extraction wrote.
public struct ExtractionSummary: Sendable, Hashable {
    /// Entries read from the archive (folders, files, symlinks and hard links).
    public var entries: Int
    /// Regular files created (hard links included).
    public var files: Int
    /// Bytes of file content written.
    public var bytes: Int64

    public init(entries: Int, files: Int, bytes: Int64) {
        self.entries = entries
        self.files = files
        self.bytes = bytes
    }
}

/// Running totals of one extraction, checked against its limits.
struct ExtractionBudget {
    let limits: ExtractionLimits
    private(set) var entries = 0
    private(set) var declaredBytes: Int64 = 0
    private(set) var writtenBytes: Int64 = 0

    init(_ limits: ExtractionLimits) { self.limits = limits }

    /// Counts a new entry and the size its header declares, before anything is written.
    mutating func admit(_ name: String, declaredSize: Int64) throws {
        entries += 1
        if entries > limits.maxEntries {
            throw HangarError(.limitExceeded, "entry '\(name)' is past the limit of \(limits.maxEntries) entries")
        }
        if declaredSize < 0 {
            throw HangarError.invalid("entry '\(name)' declares a negative size")
        }
        if declaredSize > limits.maxEntrySize {
            throw HangarError(.limitExceeded, "entry '\(name)' declares \(declaredSize) bytes, more than the limit of \(limits.maxEntrySize) bytes per entry")
        }
        let (total, overflow) = declaredBytes.addingReportingOverflow(declaredSize)
        if overflow || total > limits.maxTotalBytes {
            throw HangarError(.limitExceeded, "entry '\(name)' declares \(declaredSize) bytes, which takes the archive past the limit of \(limits.maxTotalBytes) bytes in total")
        }
        declaredBytes = total
    }

    /// Counts bytes about to be written for an entry that has `entryWritten` bytes so far.
    mutating func write(_ name: String, _ count: Int, entryWritten: Int64) throws {
        if entryWritten + Int64(count) > limits.maxEntrySize {
            throw HangarError(.limitExceeded, "entry '\(name)' has more than the limit of \(limits.maxEntrySize) bytes per entry")
        }
        if writtenBytes + Int64(count) > limits.maxTotalBytes {
            throw HangarError(.limitExceeded, "entry '\(name)' takes the archive past the limit of \(limits.maxTotalBytes) bytes in total")
        }
        writtenBytes += Int64(count)
    }
}
