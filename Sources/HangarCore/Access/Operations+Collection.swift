import Foundation

// MARK: Retention and garbage collection

extension Operations {
    /// The project's retention rules (read): its own, or the defaults.
    public func retentionRules(_ project: String) async throws -> RetentionAnswer {
        try authorize(.read, project: project)
        _ = try await service.requireProject(project)
        if let rules = try await service.metadata.retentionRules(project: project) { return RetentionAnswer(rules: rules, isDefault: false) }
        return RetentionAnswer(rules: .defaults, isDefault: true)
    }

    /// Replaces the project's retention rules (admin), audited as `retention.set`.
    public func setRetentionRules(_ project: String, _ rules: RetentionRules) async throws -> RetentionRules {
        try authorize(.admin, project: project)
        _ = try await service.requireProject(project)
        let rules = try rules.validated()
        try await service.metadata.setRetentionRules(project: project, rules, audit: AuditDraft(
            at: service.now(), actor: actor, action: .retentionSet, project: project, subject: project,
            details: ["rules": rules.description]))
        return rules
    }

    /// Collects what the retention rules let go, or with `dryRun` lists it (admin of the
    /// project, or of every project when nil).
    public func collectGarbage(dryRun: Bool, project: String?, grace: TimeInterval,
                               progress: (@Sendable (Int, Int) -> Void)?) async throws -> CollectionReport {
        try authorize(.admin, project: project)
        return try await Collector(service: service, grace: grace).run(dryRun: dryRun, project: project, actor: actor, progress: progress)
    }
}

/// A project's retention rules and whether they are the defaults (it never set any).
public struct RetentionAnswer: Codable, Sendable, Hashable {
    public var rules: RetentionRules
    public var isDefault: Bool

    public init(rules: RetentionRules, isDefault: Bool) {
        self.rules = rules
        self.isDefault = isDefault
    }
}
