import Synchronization

/// Wakes whoever waits for a project to change (a pointer moved, an agent reported) in
/// this process, so long-poll watchers sleep instead of polling the metadata store.
/// Changes made by another process on the same store are not signalled here: waiters
/// bound their wait and look again (see `wait(project:timeout:)`).
public final class ChangeSignal: Sendable {
    private struct Waiter {
        let project: String
        let continuation: CheckedContinuation<Void, Never>
    }
    private let waiters = Mutex<(next: Int, byID: [Int: Waiter])>((0, [:]))

    public init() {}

    /// Wakes every waiter on `project`.
    public func changed(project: String) {
        let woken = waiters.withLock { state -> [Waiter] in
            let hit = state.byID.filter { $0.value.project == project }
            for id in hit.keys { state.byID[id] = nil }
            return Array(hit.values)
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// Returns when `project` changes in this process, after `timeout`, or when the task
    /// is cancelled, whichever comes first.
    public func wait(project: String, timeout: Duration) async {
        let id = waiters.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.waiters.withLock { state -> Bool in
                            if Task.isCancelled { return true }
                            state.byID[id] = Waiter(project: project, continuation: continuation)
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.wake(id)
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func wake(_ id: Int) {
        let waiter = waiters.withLock { $0.byID.removeValue(forKey: id) }
        waiter?.continuation.resume()
    }

    /// How many waiters there are now (for tests and metrics).
    public var waiting: Int { waiters.withLock { $0.byID.count } }
}
