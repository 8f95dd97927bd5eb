import Foundation

/// Where blob bytes live. Blobs are immutable byte sequences stored under the SHA-256
/// of their content; a store never hands out bytes under a digest they do not hash to
/// without saying so (readers of whole blobs verify as they stream).
///
/// Every backend runs `BlobStoreConformance` (in the HangarConformance target).
public protocol BlobStore: Sendable {
    /// The size in bytes of the blob stored under `digest`, or nil when there is none.
    /// Never reports a blob whose write has not committed.
    func stat(_ digest: Digest) async throws -> Int64?

    /// Opens the blob for reading, whole or for a byte range (`range` is clamped to the
    /// size; an empty or inverted range is `invalidInput`). Throws `notFound` when absent.
    /// A whole-blob reader checks the digest as it streams (`verification` says whether a
    /// blob already checked at rest may skip that) and throws `integrity` at the end if
    /// the bytes do not match; a ranged reader checks every byte it hands out.
    func reader(for digest: Digest, range: Range<Int64>?, verification: ReadVerification) async throws -> any BlobReader

    /// Starts a new write. Nothing is visible under any digest until `commit` succeeds.
    func writer() async throws -> any BlobWriter

    /// Takes up the durable write of upload session `session` (an `UploadSessionID`),
    /// creating it empty the first time: positioned after the bytes it holds, whichever
    /// process wrote them. While one writer holds a session, taking it again (here or in
    /// another process) is `conflict`; `suspend` or `commit` lets it go. Nothing is visible
    /// under any digest until `commit`.
    func sessionWriter(_ session: String) async throws -> any BlobWriter
    /// How many bytes upload session `session` holds, or nil when it has none stored.
    func sessionSize(_ session: String) async throws -> Int64?
    /// Removes what upload session `session` holds. Removing an absent one is not an error.
    func removeSession(_ session: String) async throws

    /// Removes what writes killed mid-way left behind (never a write in progress in a
    /// live process), and session bytes untouched for `maxAge` seconds.
    @discardableResult
    func sweepTemporary(maxAge: Double) async throws -> StaleTemporaries.Report

    /// Stored blobs in the order of their digests, after `after` (exclusive; nil: from the
    /// start), at most `limit`, each with its size and when it was last written. Page
    /// through with the last digest of a page; a short page is the last.
    func list(after: Digest?, limit: Int) async throws -> [BlobListing]

    /// A URL a client may fetch the blob from directly, valid for `expiresIn`, when the
    /// backend can give one (object storage: a presigned URL); nil otherwise, and readers
    /// go through `reader`.
    func redirectURL(for digest: Digest, expiresIn: Duration) async throws -> String?

    /// Removes the blob (for garbage collection). Removing an absent blob is not an error.
    func delete(_ digest: Digest) async throws
}

/// One stored blob as `BlobStore.list` reports it.
public struct BlobListing: Sendable, Hashable {
    public var digest: Digest
    public var size: Int64
    /// When the blob was last written (the collector's grace periods count from it).
    public var modified: Date

    public init(digest: Digest, size: Int64, modified: Date) {
        self.digest = digest
        self.size = size
        self.modified = modified
    }
}

extension BlobStore {
    /// Opens the blob, every byte checked.
    public func reader(for digest: Digest, range: Range<Int64>?) async throws -> any BlobReader {
        try await reader(for: digest, range: range, verification: .everyByte)
    }

    /// Every stored digest, in order, read page by page (for tools and tests; a collector
    /// pages itself).
    public func listAll(pageSize: Int = 1000) async throws -> [Digest] {
        var out: [Digest] = []
        var after: Digest?
        while true {
            let page = try await list(after: after, limit: pageSize)
            out += page.map(\.digest)
            guard page.count == pageSize, let last = page.last else { return out }
            after = last.digest
        }
    }

    /// Opens the whole blob for reading.
    public func reader(for digest: Digest) async throws -> any BlobReader {
        try await reader(for: digest, range: nil)
    }

    /// Whether a blob is stored under `digest`.
    public func contains(_ digest: Digest) async throws -> Bool {
        try await stat(digest) != nil
    }
}

/// Anything that yields bytes into a buffer until it returns 0 (blob readers, local files).
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Streams every remaining byte to `body` in chunks of `chunkSize`.
    public func forEachChunk(
        chunkSize: Int = 1 << 20,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// A stream of a blob's bytes. Used by one task at a time.
public protocol BlobReader: AnyObject {
    /// The blob's digest.
    var digest: Digest { get }
    /// How many bytes this reader will yield in total (the range's length, or the size).
    var length: Int64 { get }
    /// Reads up to `buffer.count` bytes; returns 0 at the end. A whole-blob reader
    /// throws `integrity` when the end is reached and the bytes did not hash to `digest`.
    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int
    /// Releases the underlying resources; reading after close is a programming error.
    func close()
}

extension BlobReader {
    /// Streams every remaining byte to `body` in chunks of up to `chunkSize`.
    nonisolated(nonsending) public func forEachChunk(
        chunkSize: Int = 1 << 20,
        _ body: nonisolated(nonsending) (UnsafeRawBufferPointer) async throws -> Void
    ) async throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try await read(into: buffer)
            if n == 0 { return }
            try await body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// Reads everything that is left into memory (for small blobs: manifests, configs).
    nonisolated(nonsending) public func readAll(limit: Int = 16 << 20) async throws -> [UInt8] {
        var out = [UInt8]()
        try await forEachChunk(chunkSize: 64 << 10) { chunk in
            guard out.count + chunk.count <= limit else {
                throw HangarError(.limitExceeded, "blob \(digest) is larger than \(limit) bytes")
            }
            out.append(contentsOf: chunk)
        }
        return out
    }

    /// Reads (and so checks) everything that is left, keeping nothing; returns how many bytes.
    @discardableResult
    nonisolated(nonsending) public func drain() async throws -> Int64 {
        var count: Int64 = 0
        try await forEachChunk { count += Int64($0.count) }
        return count
    }
}

/// One write of a new blob. Bytes are hashed as they arrive; `commit` checks the
/// digest and size the caller declared and only then makes the blob visible.
/// Used by one task at a time.
public protocol BlobWriter: AnyObject {
    /// Bytes accepted so far.
    var bytesWritten: Int64 { get }
    /// Appends bytes. On failure the write stays as it was before the call (`bytesWritten`
    /// unchanged) and can go on, unless the error says it was abandoned.
    nonisolated(nonsending) func write(_ bytes: UnsafeRawBufferPointer) async throws
    /// Finishes the write. Throws `integrity` (and stores nothing) when `expected` or
    /// `expectedSize` is given and does not match. If the blob already exists it is
    /// left as it is and the result says so (`created == false`).
    nonisolated(nonsending) func commit(expected: Digest?, expectedSize: Int64?) async throws -> StoredBlob
    /// Abandons the write and removes what it wrote. Safe to call more than once.
    func abort()
    /// Releases what the write holds open while it waits for more bytes (an upload
    /// session between chunks); the next `write`, `resume` or `commit` takes it up again.
    nonisolated(nonsending) func suspend() async throws
    /// Takes a suspended write up again: for a session, its lock (`conflict` when another
    /// request or process holds it) and any bytes another process added since.
    nonisolated(nonsending) func resume() async throws
}

extension BlobWriter {
    nonisolated(nonsending) public func write(_ bytes: some ContiguousBytes) async throws {
        let copy = bytes.withUnsafeBytes { source in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
            copy.copyMemory(from: source)
            return copy
        }
        defer { copy.deallocate() }
        try await write(UnsafeRawBufferPointer(copy))
    }

    nonisolated(nonsending) public func commit() async throws -> StoredBlob {
        try await commit(expected: nil, expectedSize: nil)
    }
}

/// What a committed write produced.
public struct StoredBlob: Sendable, Hashable, Codable {
    public var digest: Digest
    public var size: Int64
    /// False when the blob was already stored and nothing new was written (dedup).
    public var created: Bool

    public init(digest: Digest, size: Int64, created: Bool) {
        self.digest = digest
        self.size = size
        self.created = created
    }
}

extension BlobStore {
    /// Stores a whole in-memory byte sequence.
    public func put(_ bytes: some ContiguousBytes, expected: Digest? = nil) async throws -> StoredBlob {
        let w = try await writer()
        do {
            try await w.write(bytes)
            return try await w.commit(expected: expected, expectedSize: nil)
        } catch {
            w.abort()
            throw error
        }
    }

    /// Reads a whole small blob into memory, verified.
    public func get(_ digest: Digest, limit: Int = 16 << 20) async throws -> [UInt8] {
        let r = try await reader(for: digest)
        defer { r.close() }
        return try await r.readAll(limit: limit)
    }
}

/// The id of a durable upload session: 1–64 of `[a-z0-9-]` (a UUID in lowercase), so it
/// can name a file or an object key as it is.
public enum UploadSessionID {
    public static func check(_ id: String) throws {
        guard (1...64).contains(id.utf8.count),
              id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2d }) else {
            throw HangarError.invalid("upload session id '\(id.prefix(80))' is not of the form Hangar makes")
        }
    }
}
