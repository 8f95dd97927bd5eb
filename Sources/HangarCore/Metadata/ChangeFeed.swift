/// A metadata store that tells every process using it when a project changed (a pointer
/// moved, an agent reported), whichever process made the change: how watchers on one
/// server see a promotion made on another at once. A store without it (SQLite) leaves
/// watchers to their bounded re-checks.
public protocol ChangeFeed: Sendable {
    /// Calls `changed` with the project's name after each committed change, until the task
    /// is cancelled; throws when the feed is lost (the caller follows it again).
    func followChanges(_ changed: @escaping @Sendable (String) -> Void) async throws
}

extension HangarService {
    /// Wakes this process's watchers on changes made by any process, while the metadata
    /// store has a change feed; retries a lost feed every `retry`. Returns at once when the
    /// store has none, and when the task is cancelled.
    public func followChanges(retry: Duration = .seconds(1)) async {
        guard let feed = metadata as? any ChangeFeed else { return }
        let signal = changes
        while !Task.isCancelled {
            try? await feed.followChanges { project in signal.changed(project: project) }
            try? await Task.sleep(for: retry)
        }
    }
}
