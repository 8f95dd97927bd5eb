/// Reads a whole stored blob, hashing as it goes; at the end it throws `integrity` when the
/// bytes did not hash to the blob's digest (or the object ended early). The verdict sticks:
/// a caller that reads again after a failure (libarchive does) gets the same error.
/// With `.atRest`, a blob sealed with its object's current version is read without
/// hashing; otherwise a match seals it and a mismatch breaks any seal it had.
final class VerifyingReader: BlobReader {
    let digest: Digest
    let length: Int64
    private let source: any DriverReader
    private var offset: Int64 = 0
    private let hasher: SHA256Hasher?
    private let seals: BlobSeals
    private var verified = false
    private var failure: HangarError?

    init(digest: Digest, source: any DriverReader, seals: BlobSeals, verification: ReadVerification) {
        self.digest = digest
        self.source = source
        self.seals = seals
        length = source.object.size
        let trusted = verification == .atRest && seals.holds(digest, source.object.version)
        hasher = trusted ? nil : SHA256Hasher()
    }

    deinit { close() }

    nonisolated(nonsending) func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        if let failure { throw failure }
        guard offset < length, buffer.count > 0 else { return try finish() }
        let want = Int(min(Int64(buffer.count), length - offset))
        let n = try await source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if n == 0 { return try finish() }
        hasher?.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        offset += Int64(n)
        return n
    }

    private func finish() throws -> Int {
        guard !verified else { return 0 }
        verified = true
        if offset < length {
            failure = HangarError.integrity("blob \(digest) is truncated: \(length - offset) bytes missing")
        } else if let hasher {
            let actual = hasher.finalize()
            if actual != digest { failure = HangarError.integrity("blob \(digest) is corrupt: its bytes hash to \(actual)") }
        }
        if let failure {
            seals.breakSeal(digest)
            throw failure
        }
        if hasher != nil { seals.seal(digest, source.object.version) }
        return 0
    }

    func close() { source.close() }
}
