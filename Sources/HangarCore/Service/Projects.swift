import Foundation

/// A project with its environments, as reported to users.
public struct ProjectInfo: Codable, Sendable, Hashable {
    public var project: ProjectRecord
    public var environments: [EnvironmentRecord]
}

extension HangarService {
    public static let defaultEnvironments = ["sandbox", "staging", "production"]

    /// Creates a project with ordered environments (sandbox → staging → production by
    /// default). The first environment takes any candidate; each later one requires the
    /// one before it.
    func createProject(_ name: String, environments: [String] = defaultEnvironments,
                              singleStep: Bool = false, actor: String) async throws -> ProjectInfo {
        try Names.checkProject(name)
        guard !environments.isEmpty else { throw HangarError.invalid("project \(name) needs at least one environment") }
        for env in environments { try Names.checkEnvironment(env) }
        if let dup = Dictionary(grouping: environments, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw HangarError.invalid("environment '\(dup)' is listed twice for project \(name)")
        }
        let at = now()
        let project = ProjectRecord(name: name, singleStep: singleStep, createdAt: at, createdBy: actor)
        let records = environments.enumerated().map { i, env in
            EnvironmentRecord(project: name, name: env, position: i, policy: EnvironmentPolicy(requirePredecessor: i > 0))
        }
        try await metadata.createProject(project, environments: records, audit: AuditDraft(
            at: at, actor: actor, action: .projectCreated, project: name, subject: name,
            details: ["environments": environments.joined(separator: ","), "singleStep": String(singleStep)]))
        return ProjectInfo(project: project, environments: records)
    }

    /// Turns single-step (continuous delivery) mode on or off.
    func setSingleStep(_ name: String, _ on: Bool, actor: String) async throws -> ProjectInfo {
        var project = try await requireProject(name)
        project.singleStep = on
        try await metadata.updateProject(project, audit: AuditDraft(
            at: now(), actor: actor, action: .projectUpdated, project: name, subject: name,
            details: ["singleStep": String(on)]))
        caches.changed(project: name)
        return try await projectInfo(name)
    }

    /// The most approvals a policy may require.
    public static let maximumApprovals = 100

    /// Replaces an environment's promotion policy.
    func setPolicy(_ project: String, environment: String, policy: EnvironmentPolicy, actor: String) async throws -> ProjectInfo {
        _ = try await requireProject(project)
        _ = try await requireEnvironment(project, environment)
        guard (0...Self.maximumApprovals).contains(policy.requiredApprovals) else {
            throw HangarError.invalid("policy of \(environment) in \(project): requiredApprovals must be between 0 and \(Self.maximumApprovals)")
        }
        if let soak = policy.minimumSoakSeconds {
            _ = try TimeSpan(seconds: soak, what: "policy of \(environment) in \(project): minimumSoakSeconds")
        }
        var details = ["requirePredecessor": String(policy.requirePredecessor), "requiredApprovals": String(policy.requiredApprovals)]
        details["minimumSoakSeconds"] = policy.minimumSoakSeconds.map(String.init)
        if policy.independentApprovals { details["independentApprovals"] = "true" }
        try await metadata.setPolicy(project: project, environment: environment, policy: policy, audit: AuditDraft(
            at: now(), actor: actor, action: .policySet, project: project, subject: environment, details: details))
        caches.changed(project: project)
        return try await projectInfo(project)
    }

    func projectInfo(_ name: String) async throws -> ProjectInfo {
        let project = try await requireProject(name)
        return ProjectInfo(project: project, environments: try await metadata.environments(project: name))
    }

    func projects() async throws -> [ProjectRecord] {
        try await metadata.projects()
    }
}
