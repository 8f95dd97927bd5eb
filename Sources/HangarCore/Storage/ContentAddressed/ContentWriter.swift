/// One write of a new blob through a driver: bytes are appended to a temporary key and
/// hashed once the driver took them, so the hash never runs ahead of the stored bytes (a
/// failed append leaves both where they stood). `commit` checks the digest and size the
/// caller declared and only then moves the bytes under the blob's key.
///
/// For an upload session the temporary key is the session's: when its object holds bytes
/// this writer did not hash (written before a restart or by another server), they are
/// read back once to restore the hash.
final class ContentWriter<Driver: BlobDriver>: BlobWriter {
    private let store: ContentAddressedStore<Driver>
    private let key: String
    private let appender: any DriverAppender
    private var hasher = SHA256Hasher()
    private(set) var bytesWritten: Int64 = 0
    private var finished = false

    /// Takes up `appender` (of `key`), restoring the hash of what it already holds.
    init(store: ContentAddressedStore<Driver>, key: String, appender: any DriverAppender) async throws {
        self.store = store
        self.key = key
        self.appender = appender
        if appender.size != 0 { try await rehash() }
    }

    nonisolated(nonsending) func write(_ bytes: UnsafeRawBufferPointer) async throws {
        precondition(!finished, "write after commit or abort")
        try await resume()
        try await appender.append(bytes)
        hasher.update(bytes)
        bytesWritten += Int64(bytes.count)
    }

    nonisolated(nonsending) func suspend() async throws {
        if !finished { try await appender.suspend() }
    }

    nonisolated(nonsending) func resume() async throws {
        try await appender.resume()
        if appender.size != bytesWritten { try await rehash() }
    }

    /// Hashes the bytes the temporary object holds, from the start.
    nonisolated(nonsending) private func rehash() async throws {
        let source = try await store.driver.reader(key, range: nil)
        defer { source.close() }
        let fresh = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var count: Int64 = 0
        while true {
            let n = try await source.read(into: buffer)
            if n == 0 { break }
            fresh.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            count += Int64(n)
        }
        guard count == appender.size else {
            throw HangarError(.io, "\(key) changed while its bytes were read back (\(count) of \(appender.size) bytes)")
        }
        hasher = fresh
        bytesWritten = count
    }

    nonisolated(nonsending) func commit(expected: Digest?, expectedSize: Int64?) async throws -> StoredBlob {
        precondition(!finished, "commit after commit or abort")
        do {
            try await resume()
            let digest = hasher.finalize()
            if let expectedSize, expectedSize != bytesWritten {
                throw HangarError.integrity("size mismatch: declared \(expectedSize) bytes, received \(bytesWritten)")
            }
            if let expected, expected != digest {
                throw HangarError.integrity("digest mismatch: declared \(expected), content hashes to \(digest)")
            }
            // Already stored: the new bytes, just checked, still replace the old ones, so a
            // blob damaged in the store is repaired by the next honest upload of it instead
            // of staying behind an "already stored".
            let existed = try await store.driver.stat(BlobKeys.blob(digest)) != nil
            let object = try await appender.commit(as: BlobKeys.blob(digest))
            finished = true
            store.seals.seal(digest, object.version)
            return StoredBlob(digest: digest, size: bytesWritten, created: !existed)
        } catch {
            abort()
            throw error
        }
    }

    func abort() {
        if !finished { appender.discard() }
        finished = true
    }
}
