import Foundation

/// What a promotion or rollback did.
public struct MoveOutcome: Codable, Sendable {
    /// The recorded move; nil when the environment already pointed at the candidate.
    public var deployment: DeploymentRecord?
    public var candidate: CandidateRecord
    public var environment: String
    /// Policy rules overridden with force (empty when none).
    public var overridden: [String]
    public var noop: Bool { deployment == nil }
}

/// Options of a pointer move given by the user.
public struct MoveOptions: Sendable {
    public var force: Bool
    public var reason: String?
    /// Compare-and-swap from the caller: refuse (conflict) unless the environment is still
    /// at this generation. When nil, a lost race is retried against the new state.
    public var expectedGeneration: Int64?

    public init(force: Bool = false, reason: String? = nil, expectedGeneration: Int64? = nil) {
        self.force = force
        self.reason = reason
        self.expectedGeneration = expectedGeneration
    }
}

extension HangarService {
    /// Points `environment` at the candidate `ref` names, if its policy allows (or `force`
    /// with a reason overrides it, recorded). Copies no bytes. Promoting what is already
    /// there is a no-op.
    func promote(_ project: String, ref: String, to environment: String,
                        options: MoveOptions = MoveOptions(), kind: DeploymentKind = .promote,
                        actor: String) async throws -> MoveOutcome {
        let candidate = try await resolve(project, ref)
        try checkForce(options)
        return try await moveQueue.serialized(project, environment) {
            for _ in 0..<20 {
                let (all, env) = try await requireEnvironment(project, environment)
                if env.current == candidate.digest {
                    return MoveOutcome(deployment: nil, candidate: candidate, environment: environment, overridden: [])
                }
                let violations = Policy.promotion(try await promotionFacts(candidate, env, all, promoter: actor))
                if !violations.isEmpty && !options.force {
                    throw HangarError(.policy, "promotion of \(candidate.tag) to \(environment) of \(project) refused: "
                        + violations.map(\.message).joined(separator: "; ") + " (or --force --reason \"…\")")
                }
                do {
                    let d = try await move(env, to: candidate, kind: kind, violations: violations, options: options, actor: actor)
                    return MoveOutcome(deployment: d, candidate: candidate, environment: environment, overridden: violations.map(\.rule))
                } catch let e as HangarError where e.kind == .conflict && options.expectedGeneration == nil {
                    continue
                }
            }
            throw HangarError.conflict("environment \(environment) of \(project) kept moving while promoting \(candidate.tag); try again")
        }
    }

    func checkForce(_ options: MoveOptions) throws {
        if options.force && (options.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw HangarError.invalid("--force needs --reason \"…\": an override is recorded with its reason")
        }
    }

    private func promotionFacts(_ c: CandidateRecord, _ target: EnvironmentRecord, _ all: [EnvironmentRecord],
                                promoter: String) async throws -> Policy.PromotionFacts {
        let predecessor = all.last { $0.position < target.position }
        var first: Date?
        if let predecessor {
            first = try await metadata.firstArrival(project: c.project, environment: predecessor.name, candidate: c.digest)
        }
        let approvals = try await metadata.approvals(project: c.project, environment: target.name, candidate: c.digest)
        return Policy.PromotionFacts(candidateTag: c.tag, target: target, predecessor: predecessor,
                                     firstInPredecessor: first, approvers: approvals.map(\.actor), creator: c.createdBy,
                                     promoter: promoter, now: now())
    }

    /// Records the move with compare-and-swap on the environment's generation.
    func move(_ env: EnvironmentRecord, to c: CandidateRecord, kind: DeploymentKind, violations: [Policy.Violation],
              options: MoveOptions, actor: String) async throws -> DeploymentRecord {
        let at = now()
        let overridden = violations.map(\.rule)
        var draft = DeploymentDraft(to: c.digest, kind: kind, actor: actor, at: at, reason: options.reason, overridden: overridden)
        var audit = [DeploymentAudit.draft(project: env.project, environment: env.name, from: env.current, draft: draft, tag: c.tag)]
        if let key = signingKey {  // the signed statement goes into the move's own transaction
            let statement = DeploymentStatement.bytes(project: env.project, environment: env.name, from: env.current, draft: draft, tag: c.tag)
            let envelope = try DSSEEnvelope.sign(statement, type: DeploymentStatement.payloadType, key: key).canonicalBytes
            draft.statement = envelope
            audit[0].details["envelope"] = SHA256Hasher.digest(envelope).description
        }
        if !violations.isEmpty {
            audit.append(AuditDraft(at: at, actor: actor, action: .policyOverride, project: env.project, subject: env.name, details: [
                "tag": c.tag, "digest": c.digest.description, "reason": options.reason ?? "",
                "overridden": violations.map(\.message).joined(separator: "; "),
            ]))
        }
        let moved = try await metadata.movePointer(project: env.project, environment: env.name,
                                                   expectedGeneration: options.expectedGeneration ?? env.generation,
                                                   draft: draft, audit: audit)
        caches.changed(project: env.project)
        changes.changed(project: env.project)
        return moved
    }
}

/// How a pointer move is written into the audit log, and how a deployment row is
/// checked against the entry that recorded it.
public enum DeploymentAudit {
    public static func draft(project: String, environment: String, from: Digest?, draft: DeploymentDraft, tag: String) -> AuditDraft {
        var details = ["environment": environment, "to": draft.to.description, "tag": tag, "kind": draft.kind.rawValue]
        details["from"] = from?.description
        details["reason"] = draft.reason
        if !draft.overridden.isEmpty { details["overridden"] = draft.overridden.joined(separator: ",") }
        return AuditDraft(at: draft.at, actor: draft.actor, action: draft.kind == .rollback ? .rollback : .promotion,
                          project: project, subject: environment, details: details)
    }

    /// What differs between a deployment row and its audit entry (empty: they agree).
    public static func mismatches(_ d: DeploymentRecord, _ e: AuditEntry) -> [String] {
        var out: [String] = []
        func check(_ field: String, _ row: String?, _ logged: String?) {
            if row != logged { out.append("\(field) is '\(row ?? "none")' but the audit entry says '\(logged ?? "none")'") }
        }
        check("project", d.project, e.project)
        check("environment", d.environment, e.details["environment"])
        check("from", d.from?.description, e.details["from"])
        check("to", d.to.description, e.details["to"])
        check("kind", d.kind.rawValue, e.details["kind"])
        check("actor", d.actor, e.actor)
        check("time", Timestamp.format(d.at), Timestamp.format(e.at))
        check("reason", d.reason, e.details["reason"])
        return out
    }
}
