import Foundation
import HangarCore

extension DeployAgent {
    /// Runs until the task is cancelled: a first pass, then one pass each time the
    /// environment's generation changes. Changes are seen through the watch long-poll; when
    /// a watch fails the agent polls status instead, waiting `interval` and doubling the
    /// wait on each further failure. A failed fetch is retried the same way until it
    /// succeeds or the pointer moves. Configuration mistakes the server reports (unknown
    /// project or environment, a refused token) end the run with that error.
    public func run() async throws {
        var generation: Int64?
        var retry = Backoff(base: configuration.interval, maximum: configuration.maximumBackoff)
        var poll = Backoff(base: configuration.interval, maximum: configuration.maximumBackoff)
        while true {
            try Task.checkCancellation()
            let started = ContinuousClock.now
            guard let status = try await observe(after: generation, wait: retry.secondsUntilDue(cap: configuration.watchTimeout),
                                                 poll: &poll) else { continue }
            if status.generation == generation && !retry.isDue {
                // The long poll timed out with nothing new: pace a server that answers early.
                let elapsed = ContinuousClock.now - started
                if elapsed < configuration.interval { try await Task.sleep(for: configuration.interval - elapsed) }
                continue
            }
            generation = status.generation
            do {
                switch try await reconcile() {
                case .failed: retry.fail(log: log, what: "deployment")
                case .empty, .upToDate, .deployed: retry.reset()
                }
            } catch let error as HangarError where Self.isFatal(error) {
                throw error
            } catch {
                log("cannot check \(environment) of \(project): \(error)")
                retry.fail(log: log, what: "check")
            }
        }
    }

    /// `--once`: deploys what the environment points at if the target does not hold it yet.
    public func runOnce() async throws -> AgentOutcome {
        try await reconcile()
    }

    /// The environment's status: through the watch long-poll when a generation is known,
    /// else (and after a failed watch, once `poll`'s wait is over) through status. Nil
    /// when status could not be read either (logged, after `poll`'s next wait).
    func observe(after generation: Int64?, wait: Int, poll: inout Backoff) async throws -> EnvironmentStatus? {
        if let generation {
            do {
                let status = try await client.watch(project, environment: environment, generation: generation, timeout: wait)
                poll.reset()
                return status
            } catch let error as HangarError where error.kind == .unauthorized || error.kind == .denied {
                throw error
            } catch {
                let delay = poll.next()
                log("watch of \(environment) failed (\(error)); polling status in \(delay)")
                try await Task.sleep(for: delay)
            }
        }
        do {
            let status = try await currentStatus()
            poll.reset()
            return status
        } catch let error as HangarError where Self.isFatal(error) {
            throw error
        } catch {
            let delay = poll.next()
            log("cannot read the status of \(environment) (\(error)); trying again in \(delay)")
            try await Task.sleep(for: delay)
            return nil
        }
    }

    /// The watched environment's row of the project's status.
    func currentStatus() async throws -> EnvironmentStatus {
        let all = try await client.status(project)
        guard let row = all.first(where: { $0.environment == environment }) else {
            throw HangarError.notFound("project \(project) has no environment '\(environment)' (it has: \(all.map(\.environment).joined(separator: ", ")))")
        }
        return row
    }

    /// Errors no retry can cure: the server says the project, environment or token is wrong.
    static func isFatal(_ error: HangarError) -> Bool {
        [.notFound, .unauthorized, .denied, .invalidInput].contains(error.kind)
    }
}

/// A doubling wait between retries, from `base` up to `maximum`, with the instant the next
/// retry is due.
struct Backoff {
    let base: Duration
    let maximum: Duration
    private(set) var current: Duration
    private var due: ContinuousClock.Instant?

    init(base: Duration, maximum: Duration) {
        self.base = base
        self.maximum = max(base, maximum)
        current = base
    }

    /// Whether a retry was scheduled and its time has come.
    var isDue: Bool { due.map { ContinuousClock.now >= $0 } ?? false }

    /// Seconds until the scheduled retry (at least 1, at most `cap`), or `cap` when none is.
    func secondsUntilDue(cap: Int) -> Int {
        guard let due else { return cap }
        let left = (due - ContinuousClock.now).components.seconds + 1
        return Int(max(1, min(Int64(cap), left)))
    }

    /// The current wait, doubling it for next time.
    mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }

    /// Schedules the next retry after the current wait, then doubles the wait.
    mutating func fail(log: (String) -> Void, what: String) {
        due = ContinuousClock.now + current
        log("will retry the \(what) in \(current)")
        current = min(current * 2, maximum)
    }

    mutating func reset() {
        current = base
        due = nil
    }
}
