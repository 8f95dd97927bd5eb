import Foundation

/// The release board of a project: environments (columns, in order) × recent candidates
/// (rows, newest first), made from one `ProjectSnapshot` by a pure function, so what the
/// page shows is one consistent instant. Each cell says whether the candidate runs there,
/// ran there before (since when), was rolled back from, what the agents reported, and
/// what a promotion there would meet under the environment's policy: the verdict of the
/// same `Policy.promotion` the move itself applies.
public struct BoardView: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var current: CandidateRecord?
        public var since: Date?
        public var by: String?
        public var report: DeploymentReport?
        public var generation: Int64
        /// The candidate a plain rollback would return to, when the listed moves show one.
        public var rollbackTo: CandidateRecord?
        public var mayRollback: Bool
        public var policy: EnvironmentPolicy
    }

    public enum Presence: String, Sendable {
        /// The environment points at it now.
        case current
        /// It ran there before (`firstArrived`).
        case before
        /// It ran there and a rollback moved the environment away from it.
        case rolledBack = "rolled-back"
        /// Never deployed there.
        case never
    }

    public struct Cell: Sendable {
        public var environment: String
        public var presence: Presence
        public var firstArrived: Date?
        /// The agents' newest report, for the environment's current candidate.
        public var report: DeploymentReport?
        /// Rules a promotion here would break now (empty: allowed); nil when the caller may
        /// not promote here or the candidate already runs here.
        public var verdict: [Policy.Violation]?
        /// Approvals of the candidate for this environment, and whether the caller may add one.
        public var approvals: [String]
        public var mayApprove: Bool
        public var requiredApprovals: Int
    }

    public struct Row: Sendable {
        public var candidate: CandidateRecord
        public var cells: [Cell]
        public var runsSomewhere: Bool { cells.contains { $0.presence == .current } }
    }

    public var project: ProjectRecord
    public var columns: [Column]
    /// Newest first, grouped by version in that order.
    public var rows: [Row]
    /// Whether the caller may force a move (admins), with a reason.
    public var mayForce: Bool
    public var at: Date

    /// Builds the board. `may` answers whether the caller may do an action in an
    /// environment; `viewer` is the caller's name (the promoter the policy considers).
    public static func make(_ s: ProjectSnapshot, viewer: String, now: Date, may: (Authorization.Action, String?) -> Bool) -> BoardView {
        let rolledBackFrom = Dictionary(grouping: s.deployments.filter { $0.kind == .rollback && $0.from != nil },
                                        by: \.environment).mapValues { Set($0.compactMap(\.from)) }
        let columns = s.environments.map { env -> Column in
            let history = s.deployments.filter { $0.environment == env.name }
            let back = Policy.rollbackTarget(current: env.current, history: history)
            return Column(name: env.name, current: s.candidate(env.current), since: env.current == nil ? nil : env.updatedAt,
                          by: env.current == nil ? nil : env.updatedBy, report: s.reports[env.name], generation: env.generation,
                          rollbackTo: s.candidate(back), mayRollback: back != nil && may(.rollback, env.name), policy: env.policy)
        }
        var rows: [Row] = []
        for c in s.candidates {
            let cells = s.environments.enumerated().map { index, env in
                cell(c, env, predecessor: index > 0 ? s.environments[index - 1] : nil, s, rolledBackFrom[env.name] ?? [],
                     viewer: viewer, now: now, may: may)
            }
            rows.append(Row(candidate: c, cells: cells))
        }
        return BoardView(project: s.project, columns: columns, rows: rows, mayForce: may(.admin, nil), at: now)
    }

    /// The versions of the rows, newest first.
    public var versions: [String] {
        rows.reduce(into: [String]()) { if !$0.contains($1.candidate.version) { $0.append($1.candidate.version) } }
    }

    /// Only the rows of `version` (when given) and, with `runningOnly`, those that run somewhere.
    public func filtered(version: String?, runningOnly: Bool) -> BoardView {
        var out = self
        out.rows = rows.filter { (version == nil || $0.candidate.version == version) && (!runningOnly || $0.runsSomewhere) }
        return out
    }

    private static func cell(_ c: CandidateRecord, _ env: EnvironmentRecord, predecessor: EnvironmentRecord?, _ s: ProjectSnapshot,
                             _ rolledBack: Set<Digest>, viewer: String, now: Date,
                             may: (Authorization.Action, String?) -> Bool) -> Cell {
        let arrived = s.arrivals[env.name]?[c.digest]
        let presence: Presence = env.current == c.digest ? .current
            : arrived == nil ? .never : rolledBack.contains(c.digest) ? .rolledBack : .before
        let approvers = s.approvals.filter { $0.environment == env.name && $0.candidate == c.digest }.map(\.actor)
        var verdict: [Policy.Violation]?
        if presence != .current && may(.promote, env.name) {
            verdict = Policy.promotion(Policy.PromotionFacts(
                candidateTag: c.tag, target: env, predecessor: predecessor,
                firstInPredecessor: predecessor.flatMap { s.arrivals[$0.name]?[c.digest] },
                approvers: approvers, creator: c.createdBy, promoter: viewer, now: now))
        }
        let mayApprove = env.policy.requiredApprovals > 0 && presence != .current && may(.approve, env.name)
            && !approvers.contains(viewer)
            && Policy.approval(policy: env.policy, environment: env.name, candidateTag: c.tag, creator: c.createdBy, approver: viewer).isEmpty
        return Cell(environment: env.name, presence: presence, firstArrived: arrived,
                    report: presence == .current ? s.reports[env.name] : nil, verdict: verdict, approvals: approvers,
                    mayApprove: mayApprove, requiredApprovals: env.policy.requiredApprovals)
    }
}
