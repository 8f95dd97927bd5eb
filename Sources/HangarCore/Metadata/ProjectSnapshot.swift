import Foundation

/// One consistent snapshot of a project's release state, read in one transaction: what
/// `status` prints and the release board draws (environments × recent candidates), with
/// no row from before one write and another from after it.
public struct ProjectSnapshot: Sendable {
    public var project: ProjectRecord
    /// By position.
    public var environments: [EnvironmentRecord]
    /// The newest candidates asked for and any older one an environment points at, newest
    /// first.
    public var candidates: [CandidateRecord]
    /// The newest moves asked for and each environment's current move, newest first.
    public var deployments: [DeploymentRecord]
    /// The newest report on each environment's current move, by environment.
    public var reports: [String: DeploymentReport]
    /// Approvals of the candidates listed, oldest first.
    public var approvals: [ApprovalRecord]
    /// When each listed candidate first reached each environment: environment → candidate → time.
    public var arrivals: [String: [Digest: Date]]

    public init(project: ProjectRecord, environments: [EnvironmentRecord], candidates: [CandidateRecord],
                deployments: [DeploymentRecord], reports: [String: DeploymentReport], approvals: [ApprovalRecord],
                arrivals: [String: [Digest: Date]]) {
        self.project = project
        self.environments = environments
        self.candidates = candidates
        self.deployments = deployments
        self.reports = reports
        self.approvals = approvals
        self.arrivals = arrivals
    }

    /// The candidate with this manifest digest, if listed.
    public func candidate(_ digest: Digest?) -> CandidateRecord? {
        guard let digest else { return nil }
        return candidates.first { $0.digest == digest }
    }

    /// The move that set an environment's pointer, if listed.
    public func currentMove(_ environment: String) -> DeploymentRecord? {
        deployments.first { $0.environment == environment }
    }
}

/// Reads of several tables at once, on one snapshot.
public protocol ProjectReadModel: Sendable {
    /// The project's state (see `ProjectSnapshot`) with its `candidates` newest candidates
    /// and `deployments` newest moves, or nil when there is no such project: a fixed number
    /// of statements in one read transaction, whatever the size of the history.
    func snapshot(project: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot?
}
