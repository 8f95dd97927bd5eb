import Foundation

/// Promotion and rollback policy as pure functions: the facts go in, the rules that a
/// move would break come out. No I/O, so every rule is tested on its own.
public enum Policy {
    /// One rule a move would break, with a message naming the step that is missing.
    public struct Violation: Sendable, Hashable, Codable, CustomStringConvertible {
        /// `predecessor`, `soak`, `approvals`, `rollback-target`.
        public var rule: String
        public var message: String
        public var description: String { message }
    }

    /// Everything the promotion rules look at.
    public struct PromotionFacts: Sendable {
        public var candidateTag: String
        public var target: EnvironmentRecord
        /// The environment before the target, if any.
        public var predecessor: EnvironmentRecord?
        /// When the candidate was first deployed to the predecessor, if ever.
        public var firstInPredecessor: Date?
        /// Distinct actors who approved the candidate for the target.
        public var approvers: [String]
        /// Who cut the candidate and who is promoting it (for independent approvals).
        public var creator: String
        public var promoter: String
        public var now: Date

        public init(candidateTag: String, target: EnvironmentRecord, predecessor: EnvironmentRecord?,
                    firstInPredecessor: Date?, approvers: [String], creator: String = "", promoter: String = "", now: Date) {
            self.creator = creator
            self.promoter = promoter
            self.candidateTag = candidateTag
            self.target = target
            self.predecessor = predecessor
            self.firstInPredecessor = firstInPredecessor
            self.approvers = approvers
            self.now = now
        }
    }

    /// The rules a promotion into `facts.target` would break (empty: allowed).
    public static func promotion(_ facts: PromotionFacts) -> [Violation] {
        let policy = facts.target.policy
        let env = facts.target.name
        var violations: [Violation] = []
        if let predecessor = facts.predecessor, policy.requirePredecessor || policy.minimumSoakSeconds != nil {
            if let first = facts.firstInPredecessor {
                if let soak = policy.minimumSoakSeconds {
                    let soaked = facts.now.timeIntervalSince(first)
                    if soaked < Double(soak) {
                        violations.append(Violation(rule: "soak", message:
                            "\(facts.candidateTag) has been in \(predecessor.name) for \(TimeSpan.format(soaked)); \(env) requires \(TimeSpan.format(Double(soak))) there first"))
                    }
                }
            } else {
                violations.append(Violation(rule: "predecessor", message:
                    "\(facts.candidateTag) was never deployed to \(predecessor.name), which comes before \(env): promote it to \(predecessor.name) first"))
            }
        }
        var approvers = Set(facts.approvers)
        var discounted: [String] = []
        if policy.independentApprovals {
            for (who, role) in [(facts.creator, "cut it"), (facts.promoter, "promotes it")] where approvers.remove(who) != nil {
                discounted.append("\(who), who \(role)")
            }
        }
        if approvers.count < policy.requiredApprovals {
            let who = approvers.isEmpty ? "none" : approvers.sorted().joined(separator: ", ")
            let not = discounted.isEmpty ? "" : "; approvals by \(discounted.joined(separator: " and ")) do not count there"
            violations.append(Violation(rule: "approvals", message:
                "\(env) requires \(policy.requiredApprovals) independent approval(s) of \(facts.candidateTag); it has \(approvers.count) (\(who))\(not): run 'hangar approve'"
                    .replacingOccurrences(of: " independent", with: policy.independentApprovals ? " independent" : "")))
        }
        return violations
    }

    /// The rule an approval breaks, if any: under independent approvals the candidate's
    /// creator cannot approve it.
    public static func approval(policy: EnvironmentPolicy, environment: String, candidateTag: String,
                                creator: String, approver: String) -> [Violation] {
        guard policy.independentApprovals, creator == approver else { return [] }
        return [Violation(rule: "independent-approvals", message:
            "\(approver) cut \(candidateTag), and \(environment) requires approvals from someone else")]
    }

    /// The rule a rollback to an explicit target breaks, if any: the target must have
    /// been deployed to the environment before.
    public static func rollback(targetTag: String, environment: String, everDeployedThere: Bool) -> [Violation] {
        everDeployedThere ? [] : [Violation(rule: "rollback-target", message:
            "\(targetTag) was never deployed to \(environment), so it cannot be a rollback target there")]
    }

    /// The candidate a plain rollback returns to (see `RollbackSearch`), in a whole history.
    public static func rollbackTarget(current: Digest?, history newestFirst: [DeploymentRecord]) -> Digest? {
        var search = RollbackSearch(current: current)
        return newestFirst.lazy.compactMap { search.consider($0) }.first
    }

    /// The candidate a plain rollback returns to, found walking the environment's history
    /// newest first, a page at a time: the first candidate that is not the current one and
    /// that no later move rolled back from (so repeated rollbacks keep going back instead
    /// of bouncing, and a candidate deployed again after a rollback from it counts again).
    public struct RollbackSearch {
        let current: Digest?
        var rolledBackFrom: Set<Digest> = []

        public init(current: Digest?) { self.current = current }

        /// The next older move; its target when it is the answer.
        public mutating func consider(_ move: DeploymentRecord) -> Digest? {
            defer { if move.kind == .rollback, let from = move.from { rolledBackFrom.insert(from) } }
            return move.to != current && !rolledBackFrom.contains(move.to) ? move.to : nil
        }
    }
}
