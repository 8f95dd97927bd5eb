import Foundation

/// How `hangar wait` ended.
public enum WaitOutcome: Sendable {
    /// Enough agents reported the move deployed.
    case succeeded(HistoryEntry)
    /// An agent reported the move failed.
    case failed(HistoryEntry, DeploymentReport)
    /// The environment moved again before the awaited move was reported.
    case movedOn(awaited: HistoryEntry, now: EnvironmentStatus)
    /// Time ran out; the move awaited, if one was.
    case timedOut(HistoryEntry?)
}

/// Waits until the deploy agents report the move in effect in an environment (or, with
/// `ref`, the move that puts that candidate there): succeeded when `agents` distinct
/// agents' newest reports say succeeded, failed as soon as one says failed. Works through
/// any `HangarClient`: long polls on a server, change signals on a local store; never a
/// tight loop.
public struct DeploymentWait: Sendable {
    public var project: String
    public var environment: String
    public var ref: String?
    public var agents: Int
    public var timeout: Duration

    public init(project: String, environment: String, ref: String?, agents: Int, timeout: Duration) {
        (self.project, self.environment, self.ref, self.agents, self.timeout) = (project, environment, ref, agents, timeout)
    }

    /// `progress` gets the awaited move and its reports each time they change.
    public func run(_ client: any HangarClient, progress: (HistoryEntry?) -> Void = { _ in }) async throws -> WaitOutcome {
        guard agents >= 1 else { throw HangarError.invalid("--agents must be at least 1, not \(agents)") }
        let deadline = ContinuousClock.now + timeout
        let target = try await ref.asyncMap { try await client.show(project, ref: $0).candidate.digest }
        var awaited: HistoryEntry?
        while true {
            let status = try await client.status(project).first { $0.environment == environment }
            guard let status else { throw HangarError.notFound("project \(project) has no environment '\(environment)'") }
            let current = try await client.history(project, environment: environment, at: nil, limit: 1).first
            if let seen = awaited, let current, current.deployment.id != seen.deployment.id {
                return .movedOn(awaited: seen, now: status)
            }
            if let current, awaited != nil || target == nil || current.deployment.to == target { awaited = current }
            if ref == nil && current == nil {
                throw HangarError.notFound("\(environment) of \(project) has never pointed at a candidate: nothing to wait for")
            }
            progress(awaited)
            if let awaited, let verdict = verdict(awaited) { return verdict }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return .timedOut(awaited) }
            let seconds = Int(min(left, .seconds(30)).components.seconds)
            if seconds == 0 { try await Task.sleep(for: left); continue }
            _ = try await client.watch(project, environment: environment, generation: status.generation,
                                       report: status.report?.fingerprint ?? "none", timeout: seconds)
        }
    }

    /// Succeeded, failed or still open, from each agent's newest report on the move.
    func verdict(_ entry: HistoryEntry) -> WaitOutcome? {
        var newest: [String: DeploymentReport] = [:]
        for r in entry.reports where newest[r.agent].map({ r.at > $0.at }) ?? true { newest[r.agent] = r }
        if let failed = newest.values.filter({ $0.status == .failed }).max(by: { $0.at < $1.at }) { return .failed(entry, failed) }
        return newest.values.filter { $0.status == .succeeded }.count >= agents ? .succeeded(entry) : nil
    }
}
