import Synchronization

/// Lets the moves of one environment in this process take their turn, in arrival order,
/// instead of all reading the same generation and all but one losing the compare-and-swap
/// and starting over (signing and storing their statement again). Across processes and
/// servers the compare-and-swap in the metadata store still decides; this only keeps one
/// process from racing itself.
public final class MoveQueue: Sendable {
    private let state = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    public init() {}

    /// Runs `body` when no other move of `environment` of `project` in this process is
    /// running.
    func serialized<T: Sendable>(_ project: String, _ environment: String,
                                 _ body: () async throws -> T) async throws -> T {
        let key = project + "\u{0}" + environment
        await acquire(key)
        do {
            let value = try await body()
            release(key)
            return value
        } catch {
            release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let mine = state.withLock { queues -> Bool in
                if var queue = queues[key] {
                    queue.append(turn)
                    queues[key] = queue
                    return false
                }
                queues[key] = []  // present and empty: running, nobody waiting
                return true
            }
            if mine { turn.resume() }
        }
    }

    private func release(_ key: String) {
        let next = state.withLock { queues -> CheckedContinuation<Void, Never>? in
            guard var queue = queues[key], !queue.isEmpty else {
                queues[key] = nil
                return nil
            }
            let first = queue.removeFirst()
            queues[key] = queue
            return first
        }
        next?.resume()
    }
}
