import HangarCore

extension BlobStoreConformance {
    /// Durable upload sessions: taken up by a new writer (another process), resumed after a
    /// failed write, exclusive while held, and gone without trace when removed or committed.
    static let sessionCases: [Case] = [
        Case("a session's bytes are taken up by a new writer, which restores the hash and commits the right blob") { h in
            let store = try await h.makeStore()
            let (a, b) = (pattern(300_000), pattern(200_000).reversed())
            let first = try await store.sessionWriter("s-one")
            try await first.write(a)
            try await first.suspend()
            try require(try await store.sessionSize("s-one") == 300_000, "the session holds what was written")
            let second = try await store.sessionWriter("s-one")  // as another server would
            try require(second.bytesWritten == 300_000, "a new writer stands after the stored bytes")
            try await second.write(Array(b))
            let stored = try await second.commit(expected: SHA256Hasher.digest(a + b), expectedSize: 500_000)
            let read = try await store.get(stored.digest, limit: 1 << 20)
            try require(stored.created && read == a + b, "the right bytes")
            try require(try await store.sessionSize("s-one") == nil, "the session's bytes are gone once committed")
            try require(try await h.leftovers(store).isEmpty, "no partial writes left")
        },
        Case("a session is exclusive while held, and free again once suspended") { h in
            let store = try await h.makeStore()
            let holder = try await store.sessionWriter("s-two")
            try await holder.write(pattern(10))
            try await requireThrows(.conflict, "a second taker while held") { _ = try await store.sessionWriter("s-two") }
            try await holder.suspend()
            let next = try await store.sessionWriter("s-two")
            try require(next.bytesWritten == 10, "taken up after suspend")
            try await requireThrows(.conflict, "the first writer cannot take it back while the second holds it") { try await holder.resume() }
            try await next.suspend()
            try await holder.resume()
            try await holder.write(pattern(5))
            try await holder.suspend()
            try require(try await store.sessionSize("s-two") == 15, "the first writer saw nothing lost")
            try await store.removeSession("s-two")
            try require(try await store.sessionSize("s-two") == nil, "removed")
            try await store.removeSession("s-two")
        },
        Case("a session id is checked before it names anything") { h in
            let store = try await h.makeStore()
            for bad in ["", "../x", "a/b", "UPPER", String(repeating: "a", count: 65), "a\u{0}b"] {
                try await requireThrows(.invalidInput, "id '\(bad)'") { _ = try await store.sessionWriter(bad) }
                try await requireThrows(.invalidInput, "id '\(bad)'") { try await store.removeSession(bad) }
            }
        },
    ]
}
