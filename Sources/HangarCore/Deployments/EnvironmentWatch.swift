import Foundation

extension DeploymentReport {
    /// Names one report among all of an environment's (for "tell me when this changes").
    public var fingerprint: String {
        "\(deploymentID).\(agent).\(status.rawValue).\(Int64((at.timeIntervalSince1970 * 1000).rounded()))"
    }
}

extension Operations {
    /// The environment's status once its generation is no longer `generation` or (when
    /// `report` is given) its newest report on the move in effect is no longer the one
    /// with that fingerprint (`"none"` before any); else after `timeout`. Wakes on this
    /// process's changes to the project and looks again every `recheck` for other
    /// processes' (servers sharing the metadata store).
    public func watch(_ project: String, environment: String, generation: Int64, report: String?,
                      timeout: Int, recheck: Duration = .seconds(5)) async throws -> EnvironmentStatus {
        try authorize(.read, project: project)
        let deadline = ContinuousClock.now + .seconds(min(max(timeout, 0), 60))
        while true {
            let env = try await service.requireEnvironment(project, environment).env
            if env.generation != generation || ContinuousClock.now >= deadline { break }
            if let report, try await status(project, environment).report?.fingerprint ?? "none" != report { break }
            await service.changes.wait(project: project, timeout: min(deadline - ContinuousClock.now, recheck))
        }
        return try await status(project, environment)
    }

    /// One environment's row of `status`.
    func status(_ project: String, _ environment: String) async throws -> EnvironmentStatus {
        guard let s = try await status(project).first(where: { $0.environment == environment }) else {
            throw HangarError.notFound("project \(project) has no environment '\(environment)'")
        }
        return s
    }
}
