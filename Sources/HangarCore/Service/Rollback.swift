import Foundation

extension HangarService {
    /// Moves `environment` back: to the previous distinct candidate it ran, or to `ref`,
    /// which must have been deployed there before (unless forced with a reason).
    func rollback(_ project: String, environment: String, to ref: String? = nil,
                         options: MoveOptions = MoveOptions(), actor: String) async throws -> MoveOutcome {
        try checkForce(options)
        _ = try await requireProject(project)
        return try await moveQueue.serialized(project, environment) {
            for _ in 0..<20 {
                let env = try await requireEnvironment(project, environment).env
                let target = try await rollbackTarget(project, env, ref)
                if env.current == target.digest {
                    return MoveOutcome(deployment: nil, candidate: target, environment: environment, overridden: [])
                }
                let arrived = try await metadata.firstArrival(project: project, environment: environment, candidate: target.digest)
                let violations = Policy.rollback(targetTag: target.tag, environment: environment, everDeployedThere: arrived != nil)
                if !violations.isEmpty && !options.force {
                    throw HangarError(.policy, "rollback of \(environment) in \(project) to \(target.tag) refused: "
                        + violations.map(\.message).joined(separator: "; ") + " (or --force --reason \"…\")")
                }
                do {
                    let d = try await move(env, to: target, kind: .rollback, violations: violations, options: options, actor: actor)
                    return MoveOutcome(deployment: d, candidate: target, environment: environment, overridden: violations.map(\.rule))
                } catch let e as HangarError where e.kind == .conflict && options.expectedGeneration == nil {
                    continue
                }
            }
            throw HangarError.conflict("environment \(environment) of \(project) kept moving during the rollback; try again")
        }
    }

    /// `ref`, or the candidate a plain rollback returns to, read from the environment's
    /// history a page at a time (usually the first).
    private func rollbackTarget(_ project: String, _ env: EnvironmentRecord, _ ref: String?) async throws -> CandidateRecord {
        if let ref { return try await resolve(project, ref) }
        var search = Policy.RollbackSearch(current: env.current)
        var found: Digest?, beforeID: Int64?
        while found == nil {
            let page = try await metadata.deployments(project: project, environment: env.name, to: nil, beforeID: beforeID, limit: 64)
            found = page.lazy.compactMap { search.consider($0) }.first
            guard let last = page.last, page.count == 64 else { break }
            beforeID = last.id
        }
        guard let digest = found else {
            throw HangarError.notFound("environment \(env.name) of \(project) has no earlier candidate to roll back to")
        }
        guard let c = try await metadata.candidate(project: project, digest: digest) else {
            throw HangarError.integrity("history of \(env.name) in \(project) names \(digest), which is not a known candidate")
        }
        return c
    }

    /// Records `actor`'s approval of a candidate for an environment.
    func approve(_ project: String, ref: String, environment: String, comment: String?, actor: String) async throws -> ApprovalRecord {
        let c = try await resolve(project, ref)
        let env = try await requireEnvironment(project, environment).env
        if let refused = Policy.approval(policy: env.policy, environment: environment, candidateTag: c.tag,
                                         creator: c.createdBy, approver: actor).first {
            throw HangarError(.policy, refused.message)
        }
        let existing = try await metadata.approvals(project: project, environment: environment, candidate: c.digest)
        if let mine = existing.first(where: { $0.actor == actor }) { return mine }
        let approval = ApprovalRecord(project: project, environment: environment, candidate: c.digest, actor: actor, at: now(), comment: comment)
        var details = ["tag": c.tag, "environment": environment]
        details["comment"] = comment
        do {
            try await metadata.addApproval(approval, audit: AuditDraft(
                at: approval.at, actor: actor, action: .approval, project: project, subject: c.digest.description, details: details))
        } catch let e as HangarError where e.kind == .conflict {
            // Approved at the same moment elsewhere (another request or server): that one stands.
            let now = try await metadata.approvals(project: project, environment: environment, candidate: c.digest)
            if let mine = now.first(where: { $0.actor == actor }) { return mine }
            throw e
        }
        return approval
    }
}
