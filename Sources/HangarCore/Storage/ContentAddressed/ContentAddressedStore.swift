#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The blob store, written once over any `BlobDriver`: it hashes every write, enforces the
/// declared digest and size, deduplicates, names temporary keys, keeps upload sessions'
/// bytes resumable, and checks what it hands out (whole reads against the digest, ranges
/// against the blob's `ChunkTable`). The driver only keeps bytes under keys.
public struct ContentAddressedStore<Driver: BlobDriver>: BlobStore {
    public let driver: Driver
    /// The blobs this process checked, with their object's version then (`ReadVerification.atRest`).
    let seals = BlobSeals()

    public init(driver: Driver) {
        self.driver = driver
    }

    public func stat(_ digest: Digest) async throws -> Int64? {
        try await driver.stat(BlobKeys.blob(digest))?.size
    }

    /// A whole blob is hashed as it is read (`VerifyingReader`). A range is read through
    /// the blob's chunk table, made on first use from a full, checked read
    /// (`ChunkVerifiedReader`): `integrity` at once when the blob is corrupt.
    public func reader(for digest: Digest, range: Range<Int64>?, verification: ReadVerification) async throws -> any BlobReader {
        let key = BlobKeys.blob(digest)
        guard let range else {
            return VerifyingReader(digest: digest, source: try await open(key, digest, range: nil), seals: seals, verification: verification)
        }
        guard let object = try await driver.stat(key) else { throw HangarError.notFound("blob \(digest) is not in the store") }
        guard !range.isEmpty, range.lowerBound >= 0, range.lowerBound < object.size else {
            throw HangarError.invalid("byte range \(range.lowerBound)..<\(range.upperBound) is outside blob \(digest) of \(object.size) bytes")
        }
        let table = try await chunkTable(digest, size: object.size)
        let source = try await open(key, digest, range: ChunkVerifiedReader.aligned(range, size: table.blobSize))
        return ChunkVerifiedReader(digest: digest, source: source, table: table, range: range)
    }

    private func open(_ key: String, _ digest: Digest, range: Range<Int64>?) async throws -> any DriverReader {
        do {
            return try await driver.reader(key, range: range)
        } catch let e as HangarError where e.kind == .notFound {
            throw HangarError.notFound("blob \(digest) is not in the store")
        }
    }

    /// The blob's chunk table: the stored one when it is undamaged and of the blob's
    /// current size, else made anew from a checked read of the whole blob and stored.
    func chunkTable(_ digest: Digest, size: Int64) async throws -> ChunkTable {
        let key = BlobKeys.chunks(digest)
        if let bytes = try? await driver.get(key, limit: 1 << 20), let table = ChunkTable.decode(bytes), table.blobSize == size {
            return table
        }
        let whole = try await open(BlobKeys.blob(digest), digest, range: nil)
        defer { whole.close() }
        let table = try await ChunkTable.build(digest, from: whole)
        // The table is an optimisation: when it cannot be stored, reading goes on without it.
        try? await driver.put(key, table.encoded)
        return table
    }

    public func writer() async throws -> any BlobWriter {
        let key = BlobKeys.upload()
        return try await ContentWriter(store: self, key: key, appender: try await driver.appender(key, mode: .exclusive))
    }

    public func sessionWriter(_ session: String) async throws -> any BlobWriter {
        try UploadSessionID.check(session)
        let key = BlobKeys.session(session)
        return try await ContentWriter(store: self, key: key, appender: try await driver.appender(key, mode: .shared))
    }

    public func sessionSize(_ session: String) async throws -> Int64? {
        try UploadSessionID.check(session)
        return try await driver.stat(BlobKeys.session(session))?.size
    }

    public func removeSession(_ session: String) async throws {
        try UploadSessionID.check(session)
        try await driver.delete(BlobKeys.session(session))
    }

    /// Removes one-off writes whose process is gone (on a driver local to this machine) or
    /// untouched for `maxAge`, never one of this process younger than that; and session
    /// bytes untouched for `maxAge` (sessions end, or expire after at most a day idle,
    /// through the metadata: older bytes belong to none).
    public func sweepTemporary(maxAge: Double) async throws -> StaleTemporaries.Report {
        var report = StaleTemporaries.Report()
        let now = Date()
        var after: String?
        while true {
            let page = try await driver.list(prefix: BlobKeys.temporary, after: after, limit: 1000)
            for object in page {
                let name = object.key.dropFirst(BlobKeys.temporary.count)
                let old = now.timeIntervalSince(object.modified) > maxAge
                let stale: Bool
                if name.hasPrefix("upload-") {
                    let owner = Int32(name.dropFirst("upload-".count).split(separator: "-").first ?? "")
                    let ownerGone = driver.processLocal && owner.map { $0 > 0 && $0 != getpid() && kill($0, 0) != 0 && errno == ESRCH } ?? false
                    stale = ownerGone || old
                } else {
                    stale = name.hasPrefix("session-") && old
                }
                guard stale else { continue }
                try await driver.delete(object.key)
                report.removed += 1
                report.bytes += object.size
            }
            guard page.count == 1000, let last = page.last else { return report }
            after = last.key
        }
    }

    /// Walks the blob keys in order; keys that do not name a blob are passed over.
    public func list(after: Digest?, limit: Int) async throws -> [BlobListing] {
        guard limit > 0 else { return [] }
        var out: [BlobListing] = []
        var cursor = after.map(BlobKeys.blob)
        while out.count < limit {
            let want = limit - out.count
            let page = try await driver.list(prefix: BlobKeys.blobs, after: cursor, limit: want)
            for o in page {
                if let d = BlobKeys.digest(o.key) { out.append(BlobListing(digest: d, size: o.size, modified: o.modified)) }
            }
            guard page.count == want, let last = page.last else { break }
            cursor = last.key
        }
        return out
    }

    public func redirectURL(for digest: Digest, expiresIn: Duration) async throws -> String? {
        try await driver.redirectURL(BlobKeys.blob(digest), expiresIn: expiresIn)
    }

    public func delete(_ digest: Digest) async throws {
        seals.breakSeal(digest)
        try await driver.delete(BlobKeys.blob(digest))
        try await driver.delete(BlobKeys.chunks(digest))
    }
}
