import HangarCore
import Synchronization

/// Counts work of one kind in progress (long-poll watchers) and refuses more than
/// `limit` at once with `unavailable` (503 and `Retry-After`).
final class ConcurrencyGate: Sendable {
    let limit: Int
    let what: String
    private let count = Mutex(0)

    init(limit: Int, what: String) {
        self.limit = limit
        self.what = what
    }

    /// Runs `body` holding one place, or throws when every place is taken.
    func run<T: Sendable>(retryAfter: Int, _ body: () async throws -> T) async throws -> T {
        let admitted = count.withLock { n -> Bool in
            guard n < limit else { return false }
            n += 1
            return true
        }
        guard admitted else {
            throw HangarError.unavailable("the server has \(limit) \(what) waiting, its limit: retry later", retryAfter: retryAfter)
        }
        defer { count.withLock { $0 -= 1 } }
        return try await body()
    }

    var inUse: Int { count.withLock { $0 } }
}
