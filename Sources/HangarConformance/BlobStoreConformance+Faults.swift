import HangarCore

extension BlobStoreConformance {
    /// Failures of the driver underneath (`FaultyDriver`): a failed write leaves the write
    /// where it stood and it goes on from there; a failed commit leaves nothing.
    static let faultCases: [Case] = [
        Case("a write that fails leaves the writer where it stood, and it goes on to the right blob once the fault clears") { h in
            let plan = FaultPlan()
            let store = try await h.makeFaultyStore(plan)
            let (a, b, c) = (pattern(70_000), Array(pattern(50_000).reversed()), pattern(30_000))
            let w = try await store.writer()
            try await w.write(a)
            plan.failAppends(after: 10_000)
            try await requireThrows(.io, "the faulty write") { try await w.write(b) }
            try require(w.bytesWritten == 70_000, "the writer stands after the last good bytes: \(w.bytesWritten)")
            plan.heal()
            try await w.write(b)
            try await w.write(c)
            let stored = try await w.commit(expected: SHA256Hasher.digest(a + b + c), expectedSize: 150_000)
            try require(try await store.get(stored.digest, limit: 1 << 20) == a + b + c, "the right bytes under the digest")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("a session whose write failed is taken up by another writer at the last good offset") { h in
            let plan = FaultPlan()
            let store = try await h.makeFaultyStore(plan)
            let (a, b) = (pattern(40_000), Array(pattern(60_000).reversed()))
            let first = try await store.sessionWriter("s-fault")
            try await first.write(a)
            plan.failAppends(after: 0)
            try await requireThrows(.io, "the faulty write") { try await first.write(b) }
            try await first.suspend()
            plan.heal()
            try require(try await store.sessionSize("s-fault") == 40_000, "the session holds only the good bytes")
            let second = try await store.sessionWriter("s-fault")
            try require(second.bytesWritten == 40_000, "taken up at the last good offset")
            try await second.write(b)
            let stored = try await second.commit(expected: SHA256Hasher.digest(a + b), expectedSize: 100_000)
            try require(try await store.get(stored.digest, limit: 1 << 20) == a + b, "the right bytes")
        },
        Case("a commit that fails stores nothing under the digest and leaves nothing behind") { h in
            let plan = FaultPlan()
            let store = try await h.makeFaultyStore(plan)
            let bytes = pattern(20_000)
            plan.failCommits(true)
            try await requireThrows(.io, "the faulty commit") { try await store.put(bytes) }
            try require(try await store.stat(SHA256Hasher.digest(bytes)) == nil, "nothing under the digest")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
            plan.heal()
            try require(try await store.put(bytes).created, "the next write stores it")
        },
        Case("writers of different blobs at once each store their own bytes") { h in
            let store = try await h.makeStore()
            let blobs = (0..<8).map { n in pattern(50_000 + n * 1000) }
            let stored = try await withThrowingTaskGroup(of: (Int, StoredBlob).self) { group in
                for (n, bytes) in blobs.enumerated() {
                    group.addTask {
                        let w = try await store.writer()
                        for start in stride(from: 0, to: bytes.count, by: 7_000) {
                            try await w.write(Array(bytes[start..<min(bytes.count, start + 7_000)]))
                        }
                        return (n, try await w.commit())
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (n, bytes) in blobs.enumerated() {
                try require(stored[n]?.digest == SHA256Hasher.digest(bytes), "writer \(n) stored its own digest")
                try require(try await store.get(stored[n]!.digest, limit: 1 << 20) == bytes, "and its own bytes")
            }
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
    ]
}
