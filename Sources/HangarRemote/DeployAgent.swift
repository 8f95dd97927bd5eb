import Foundation
import HangarCore

/// What a deploy agent is told to do: keep `target` holding what `environment` of
/// `project` points at, and run `hook` after each change.
public struct AgentConfiguration: Sendable {
    public var project: String
    public var environment: String
    public var target: String
    public var hook: DeployHook?
    /// How often to poll status when the watch long-poll fails, and the first retry delay
    /// (both double on repeated failures, up to `maximumBackoff`).
    public var interval: Duration
    public var maximumBackoff: Duration = .seconds(300)
    /// Seconds one watch long-poll may wait on the server.
    public var watchTimeout: Int = 30
    public var limits: ExtractionLimits = ExtractionLimits()

    public init(project: String, environment: String, target: String, hook: DeployHook?, interval: Duration) {
        self.project = project
        self.environment = environment
        self.target = target
        self.hook = hook
        self.interval = interval
    }
}

/// What one pass of the agent found or did.
public enum AgentOutcome: Sendable, Hashable {
    /// The environment points at no candidate yet.
    case empty
    /// The target already holds what the environment points at.
    case upToDate(AgentState)
    /// The candidate was fetched, swapped in and its hook (if any) succeeded.
    case deployed(AgentState)
    /// The fetch failed (the target is as it was) or the hook failed (the files are in
    /// place); the message says which, and was reported to the server.
    case failed(String)
}

/// A deploy agent: watches one environment of a server and, whenever its pointer moves
/// (promotion or rollback alike), reports `in-progress`, fetches the candidate (verified,
/// atomic swap of the target folder), runs the hook, and reports `succeeded` or `failed`
/// on the deployment. What it deployed is kept in `AgentStateFile`, so a restart does not
/// deploy again. One log line per action goes to `log`.
public struct DeployAgent: Sendable {
    public let client: RemoteClient
    public let configuration: AgentConfiguration
    public let stateFile: AgentStateFile
    let log: @Sendable (String) -> Void

    public init(client: RemoteClient, configuration: AgentConfiguration, log: @escaping @Sendable (String) -> Void) throws {
        self.client = client
        self.configuration = configuration
        self.stateFile = try AgentStateFile(target: configuration.target)
        self.log = log
    }

    var project: String { configuration.project }
    var environment: String { configuration.environment }

    /// One pass: compares the environment's newest deployment with the saved state and
    /// deploys when they differ (or the target folder is gone). Errors are those of
    /// reaching the server or reading the state file; a failed deployment is an outcome.
    public func reconcile() async throws -> AgentOutcome {
        guard let latest = try await client.history(project, environment: environment, at: nil, limit: 1).first else {
            log("\(environment) of \(project) points at no candidate yet")
            return .empty
        }
        let move = latest.deployment
        if var state = try stateFile.load(), state.project == project, state.environment == environment,
           state.digest == move.to, FileManager.default.fileExists(atPath: configuration.target) {
            if state.deploymentID == move.id { return .upToDate(state) }
            // Moved away and back: the files are already these; acknowledge the new move.
            state.deploymentID = move.id
            state.tag = latest.toTag ?? state.tag
            try stateFile.save(state)
            log("deployment \(move.id): \(describe(move.to, latest.toTag)) is already in \(configuration.target)")
            await send(move.id, .succeeded, "already running \(describe(move.to, latest.toTag))")
            return .upToDate(state)
        }
        return try await deploy(move, tag: latest.toTag)
    }

    /// Fetches the deployment's candidate into the target, runs the hook and reports.
    func deploy(_ move: DeploymentRecord, tag: String?) async throws -> AgentOutcome {
        let label = describe(move.to, tag)
        log("deployment \(move.id): deploying \(label) to \(configuration.target)")
        await send(move.id, .inProgress, "fetching \(label)")
        let fetched: FetchResult
        do {
            // The agent owns its target by configuration (`--to`): it replaces it whatever is there.
            fetched = try await client.fetch(project, ref: move.to.description, to: configuration.target, artifact: nil, replace: true,
                                             limits: configuration.limits, progress: nil)
        } catch {
            let message = "fetch of \(label) failed: \(error)"
            log("deployment \(move.id): \(message); \(configuration.target) left as it was")
            await send(move.id, .failed, message)
            return .failed(message)
        }
        log("deployment \(move.id): \(label) is in \(configuration.target) (\(fetched.artifacts.map(\.name).joined(separator: ", ")))")
        var outcome = DeployHook.Outcome.succeeded
        if let hook = configuration.hook {
            log("deployment \(move.id): running hook: \(hook.command)")
            outcome = await hook.run(environment: DeployHook.environment(
                project: project, environment: environment, tag: fetched.tag, digest: move.to, target: configuration.target))
        }
        var state = AgentState(server: client.endpoint.baseURL, project: project, environment: environment, digest: move.to,
                               tag: fetched.tag, deploymentID: move.id, deployedAt: Date(), result: .succeeded, message: nil)
        if case .failed(let why) = outcome {
            state.result = .failed
            state.message = why
        }
        try stateFile.save(state)
        log("deployment \(move.id): \(state.result == .succeeded ? "succeeded" : "failed: \(state.message ?? "")")")
        await send(move.id, state.result, state.message ?? "deployed \(label)")
        return state.result == .succeeded ? .deployed(state) : .failed(state.message ?? "hook failed")
    }

    /// Reports to the server; a report that cannot be sent is logged, not fatal.
    func send(_ id: Int64, _ status: DeploymentReport.Status, _ message: String) async {
        do {
            try await client.report(project, deployment: id, status: status,
                                    message: HangarService.boundedReportMessage(message))
        } catch {
            log("deployment \(id): could not report \(status.rawValue): \(error)")
        }
    }

    func describe(_ digest: Digest, _ tag: String?) -> String {
        "\(tag ?? "?") (sha256:\(digest.short))"
    }
}
