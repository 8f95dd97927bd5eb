import Foundation
import HangarCore

extension BlobStoreConformance {
    /// Paginated listing with modification times (what a collector walks) and redirects.
    static let listingCases: [Case] = [
        Case("listing pages through the blobs in digest order, with sizes and modification times") { h in
            let store = try await h.makeStore()
            let before = Date().addingTimeInterval(-5)
            var stored: [Digest: Int64] = [:]
            for n in 0..<25 { stored[try await store.put(pattern(100 + n)).digest] = Int64(100 + n) }
            var seen: [BlobListing] = []
            var after: Digest?
            while true {
                let page = try await store.list(after: after, limit: 7)
                try require(page.count <= 7, "a page holds at most its limit")
                seen += page
                guard page.count == 7, let last = page.last else { break }
                after = last.digest
            }
            try require(seen.map(\.digest) == stored.keys.sorted(), "every blob once, in digest order")
            try require(seen.allSatisfy { stored[$0.digest] == $0.size }, "each with its size")
            try require(seen.allSatisfy { $0.modified > before && $0.modified < Date().addingTimeInterval(5) }, "and when it was written")
            try require(try await store.list(after: nil, limit: 0).isEmpty, "a limit of 0 gives nothing")
            try require(try await store.list(after: stored.keys.max(), limit: 10).isEmpty, "nothing after the last")
        },
        Case("delete races with a re-upload: afterwards the blob is either absent or whole, never half") { h in
            let store = try await h.makeStore()
            let bytes = pattern(200_000)
            let d = try await store.put(bytes).digest
            for round in 0..<10 {
                async let deleted: Void = store.delete(d)
                async let put = store.put(bytes, expected: d)
                _ = try await (deleted, put)
                if let size = try await store.stat(d) {
                    try require(size == Int64(bytes.count), "round \(round): present means whole")
                    try require(try await store.get(d) == bytes, "round \(round): and readable with the right bytes")
                }
                _ = try await store.put(bytes, expected: d)
                try require(try await store.get(d) == bytes, "round \(round): a put after the race stores it")
            }
            try await store.delete(d)
            try await store.delete(d)  // absent: not an error
            try require(try await store.stat(d) == nil, "deleted is deleted")
        },
        Case("a redirect is a URL or nothing, and reading works either way") { h in
            let store = try await h.makeStore()
            let d = try await store.put(pattern(1000)).digest
            if let url = try await store.redirectURL(for: d, expiresIn: .seconds(60)) {
                try require(url.hasPrefix("http://") || url.hasPrefix("https://"), "a redirect is an HTTP URL: \(url)")
            }
            try require(try await store.get(d) == pattern(1000), "the blob reads through the store")
        },
    ]
}
