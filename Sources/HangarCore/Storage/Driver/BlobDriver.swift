import Foundation

/// The small part of a blob backend: bytes under keys, nothing more. A driver knows
/// nothing of digests, hashing, deduplication or upload sessions; `ContentAddressedStore`
/// does all of that once, above any driver. Keys are made by that store only
/// (`blobs/sha256/ab/ab…`, `chunks/…`, `tmp/…`): `/`-separated, no empty, `.` or `..` part.
///
/// Every operation is async: a driver over a network (object storage) never blocks a
/// thread, and a driver over a local disk does its blocking calls on `BlockingIO` threads.
/// Every driver runs `BlobStoreConformance` through a `ContentAddressedStore`.
public protocol BlobDriver: Sendable {
    /// Whether temporary keys named with a process id (`tmp/upload-<pid>-…`) were written
    /// by processes of this machine, so one whose process is gone can be swept at once (a
    /// local disk). When false, only their age counts.
    var processLocal: Bool { get }

    /// The object at `key`, or nil when there is none.
    func stat(_ key: String) async throws -> DriverObject?

    /// Opens the object at `key` for reading `range` of it (nil: all of it). `notFound`
    /// when absent. The reader yields the bytes of the version it opened (`object`), or
    /// fewer when that version is shorter than the range: never a mix of versions.
    func reader(_ key: String, range: Range<Int64>?) async throws -> any DriverReader

    /// Opens the object at `key` for appending. `.exclusive` creates it and fails when it
    /// exists; `.shared` creates it empty or takes it up as it is, and holds it: while one
    /// appender holds a key, taking it again (here or in another process) is `conflict`.
    func appender(_ key: String, mode: AppendMode) async throws -> any DriverAppender

    /// Stores a whole small object (at most a few MiB) at `key`, replacing any, atomically.
    func put(_ key: String, _ bytes: [UInt8]) async throws
    /// The whole object at `key` when it is at most `limit` bytes; nil when absent.
    /// `limitExceeded` when larger.
    func get(_ key: String, limit: Int) async throws -> [UInt8]?

    /// Removes the object at `key`. Removing an absent object is not an error.
    func delete(_ key: String) async throws

    /// Objects whose keys start with `prefix`, in key order, after `after` (exclusive),
    /// at most `limit`. A short page is the last.
    func list(prefix: String, after: String?, limit: Int) async throws -> [DriverObject]

    /// A URL a client may read the object from directly for `expiresIn`, or nil when the
    /// driver has none to give (a local disk).
    func redirectURL(_ key: String, expiresIn: Duration) async throws -> String?
}

/// How `BlobDriver.appender` opens its key.
public enum AppendMode: Sendable {
    /// A new object of one write: created, failing when the key exists.
    case exclusive
    /// A durable object any process may take up and add to (an upload session).
    case shared
}

/// One stored object as a driver sees it.
public struct DriverObject: Sendable, Hashable {
    public var key: String
    public var size: Int64
    /// When it was last written.
    public var modified: Date
    /// Changes whenever the object's bytes may have changed (a file's inode, size and
    /// modification and change times; an object store's ETag and time). Seals of checked
    /// blobs are kept against it.
    public var version: String

    public init(key: String, size: Int64, modified: Date, version: String) {
        self.key = key
        self.size = size
        self.modified = modified
        self.version = version
    }
}

/// A stream of one object's bytes. Used by one task at a time.
public protocol DriverReader: AnyObject {
    /// The object as it was opened.
    var object: DriverObject { get }
    /// Reads the next bytes of the range into `buffer`; returns how many, 0 at the end of
    /// the range (or earlier, at the end of the object).
    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int
    /// Releases what the reader holds. Safe to call more than once.
    func close()
}

/// An object being written by appending. Used by one task at a time.
public protocol DriverAppender: AnyObject {
    /// Bytes the object holds.
    var size: Int64 { get }
    /// Appends all of `bytes`. On failure the object is left as it stood before the call
    /// (`size` unchanged), so the write can go on from there; when even that cannot be
    /// ensured the appender discards the object and throws `io`.
    nonisolated(nonsending) func append(_ bytes: UnsafeRawBufferPointer) async throws
    /// Makes what was appended durable where the driver keeps it elsewhere meanwhile (an
    /// object store's tail of less than a part), then releases what it holds open (and,
    /// for `.shared`, lets another taker have it). On failure the object holds what it
    /// held at the last successful suspend.
    nonisolated(nonsending) func suspend() async throws
    /// Takes a suspended appender up again, `size` then saying what the object holds now
    /// (a `.shared` object may have grown in another process). `conflict` while another
    /// taker holds a `.shared` object; `integrity` (object discarded) when an `.exclusive`
    /// one changed while suspended.
    nonisolated(nonsending) func resume() async throws
    /// Makes the bytes durable and moves them to `key` (replacing any object there) in
    /// one atomic step: readers of `key` see the old object or the whole new one, never
    /// a part. The appender is finished.
    nonisolated(nonsending) func commit(as key: String) async throws -> DriverObject
    /// Removes the object. Safe to call more than once.
    func discard()
}

extension DriverReader {
    /// Fills `buffer` as far as the range goes (short only at its end); returns how many.
    nonisolated(nonsending) public func fill(_ buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try await read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
