import HangarCore

/// What a backend's test provides so the blob store suite can run against it.
public struct BlobStoreHarness: Sendable {
    /// Makes a new, empty store.
    public var makeStore: @Sendable () async throws -> any BlobStore
    /// Changes the stored bytes of a blob behind the store's back (a bit flip).
    public var corrupt: @Sendable (any BlobStore, Digest) async throws -> Void
    /// Names of partial writes the backend left behind (must be empty after every write).
    public var leftovers: @Sendable (any BlobStore) async throws -> [String]
    /// Makes a new, empty store over the backend's driver wrapped in a `FaultyDriver`.
    public var makeFaultyStore: @Sendable (FaultPlan) async throws -> any BlobStore

    public init(
        makeStore: @escaping @Sendable () async throws -> any BlobStore,
        makeFaultyStore: @escaping @Sendable (FaultPlan) async throws -> any BlobStore,
        corrupt: @escaping @Sendable (any BlobStore, Digest) async throws -> Void,
        leftovers: @escaping @Sendable (any BlobStore) async throws -> [String]
    ) {
        self.makeStore = makeStore
        self.makeFaultyStore = makeFaultyStore
        self.corrupt = corrupt
        self.leftovers = leftovers
    }
}

/// The contract of `BlobStore`, as checks every backend must pass.
public enum BlobStoreConformance {
    public typealias Case = ConformanceCase<BlobStoreHarness>

    public static let cases: [Case] = basicCases + sessionCases + listingCases + faultCases

    static let basicCases: [Case] = [
        Case("put then get returns the same bytes under their SHA-256") { h in
            let store = try await h.makeStore()
            let bytes = pattern(100_000)
            let stored = try await store.put(bytes)
            try require(stored.digest == SHA256Hasher.digest(bytes), "digest is the SHA-256 of the bytes")
            try require(stored.size == 100_000 && stored.created, "size and created reported")
            try require(try await store.stat(stored.digest) == 100_000, "stat gives the size")
            try require(try await store.get(stored.digest, limit: 1 << 20) == bytes, "bytes read back")
            try require(try await store.listAll().contains(stored.digest), "list has the blob")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("the empty blob is a blob") { h in
            let store = try await h.makeStore()
            let stored = try await store.put([UInt8]())
            try require(stored.digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty digest")
            try require(try await store.get(stored.digest).isEmpty, "reads back empty")
        },
        Case("a write declaring the wrong digest is refused and leaves nothing") { h in
            let store = try await h.makeStore()
            let wrong = SHA256Hasher.digest(Array("other".utf8))
            try await requireThrows(.integrity, "wrong digest") { try await store.put(pattern(1000), expected: wrong) }
            try require(try await store.stat(wrong) == nil, "nothing under the declared digest")
            try require(try await store.stat(SHA256Hasher.digest(pattern(1000))) == nil, "nothing under the real digest")
            try require(try await store.listAll().isEmpty, "store still empty")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("a write declaring the wrong size is refused and leaves nothing") { h in
            let store = try await h.makeStore()
            let w = try await store.writer()
            try await w.write(pattern(10))
            try await requireThrows(.integrity, "wrong size") { try await w.commit(expected: nil, expectedSize: 11) }
            try require(try await store.listAll().isEmpty, "store still empty")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("a blob already stored is not written again") { h in
            let store = try await h.makeStore()
            let first = try await store.put(pattern(5000))
            let second = try await store.put(pattern(5000), expected: first.digest)
            try require(first.created && !second.created, "second write reports dedup")
            try require(second.digest == first.digest, "same digest")
            try require(try await store.listAll().count == 1, "one blob")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("concurrent writers of the same blob all succeed") { h in
            let store = try await h.makeStore()
            let bytes = pattern(300_000)
            let results = try await withThrowingTaskGroup(of: StoredBlob.self) { group in
                for _ in 0..<8 { group.addTask { try await store.put(bytes) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try require(Set(results.map(\.digest)).count == 1, "one digest")
            try require(results.contains { $0.created }, "one of them created it")
            try require(try await store.get(results[0].digest, limit: 1 << 20) == bytes, "bytes intact")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("an aborted write leaves nothing") { h in
            let store = try await h.makeStore()
            let w = try await store.writer()
            try await w.write(pattern(4096))
            w.abort()
            w.abort()
            try require(try await store.listAll().isEmpty, "nothing listed")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("a large blob streams in many chunks") { h in
            let store = try await h.makeStore()
            let chunk = pattern(1 << 20)
            let expected = SHA256Hasher()
            let w = try await store.writer()
            for i in 0..<12 {
                var c = chunk
                c[0] = UInt8(i)
                expected.update(c)
                try await w.write(c)
            }
            let stored = try await w.commit(expected: expected.finalize(), expectedSize: 12 << 20)
            let r = try await store.reader(for: stored.digest)
            var total: Int64 = 0
            try await r.forEachChunk { total += Int64($0.count) }
            r.close()
            try require(total == 12 << 20 && r.length == 12 << 20, "read back 12 MiB")
        },
        Case("byte ranges read the right slice and are clamped to the size") { h in
            let store = try await h.makeStore()
            let bytes = pattern(10_000)
            let d = try await store.put(bytes).digest
            let mid = try await store.reader(for: d, range: 100..<200)
            try require(try await mid.readAll() == Array(bytes[100..<200]), "middle slice")
            let tail = try await store.reader(for: d, range: 9_990..<20_000)
            try require(tail.length == 10, "clamped length")
            try require(try await tail.readAll() == Array(bytes[9_990...]), "tail slice")
            try await requireThrows(.invalidInput, "range past the end") { try await store.reader(for: d, range: 10_000..<10_001) }
        },
        Case("an absent blob is not found") { h in
            let store = try await h.makeStore()
            let d = SHA256Hasher.digest(Array("absent".utf8))
            try require(try await store.stat(d) == nil, "stat nil")
            try await requireThrows(.notFound, "reader of absent blob") { try await store.reader(for: d) }
        },
        Case("delete removes a blob and deleting an absent one is fine") { h in
            let store = try await h.makeStore()
            let d = try await store.put(pattern(10)).digest
            try await store.delete(d)
            try await store.delete(d)
            try require(try await store.stat(d) == nil, "gone")
            try require(try await store.listAll().isEmpty, "not listed")
        },
        Case("a corrupted blob is never read as good") { h in
            let store = try await h.makeStore()
            let d = try await store.put(pattern(70_000)).digest
            try await h.corrupt(store, d)
            let e = try await requireThrows(.integrity, "reading a corrupted blob") { try await store.get(d, limit: 1 << 20) }
            try require(e.message.contains(d.description), "the error names the digest: \(e.message)")
        },
    ]

    /// Deterministic non-trivial bytes.
    public static func pattern(_ count: Int) -> [UInt8] {
        var state: UInt32 = 2_463_534_242
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
    }
}

private func pattern(_ count: Int) -> [UInt8] { BlobStoreConformance.pattern(count) }
