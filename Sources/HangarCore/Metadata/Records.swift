import Foundation

/// A project: a named line of releases (the OCI repository name, e.g. `acme/checkout`).
public struct ProjectRecord: Codable, Sendable, Hashable {
    public var name: String
    /// Single-step (continuous delivery) mode: a new candidate is deployed through every
    /// environment at once, still recorded move by move.
    public var singleStep: Bool
    public var createdAt: Date
    public var createdBy: String

    public init(name: String, singleStep: Bool, createdAt: Date, createdBy: String) {
        self.name = name
        self.singleStep = singleStep
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// The rules a candidate must satisfy to enter an environment.
public struct EnvironmentPolicy: Codable, Sendable, Hashable {
    /// The environment before this one must have had the candidate deployed.
    public var requirePredecessor: Bool
    /// Minimum time since the candidate was first deployed to the predecessor.
    public var minimumSoakSeconds: Int?
    /// Number of distinct approvals needed for this candidate in this environment.
    public var requiredApprovals: Int
    /// Approvals count only from someone other than the candidate's creator and the
    /// promoter (four eyes): the creator cannot approve, a promoter's own approval is not
    /// counted for their promotion.
    public var independentApprovals: Bool

    public init(requirePredecessor: Bool = true, minimumSoakSeconds: Int? = nil, requiredApprovals: Int = 0,
                independentApprovals: Bool = false) {
        self.requirePredecessor = requirePredecessor
        self.minimumSoakSeconds = minimumSoakSeconds
        self.requiredApprovals = requiredApprovals
        self.independentApprovals = independentApprovals
    }

    private enum CodingKeys: String, CodingKey {
        case requirePredecessor, minimumSoakSeconds, requiredApprovals, independentApprovals
    }

    /// `independentApprovals` may be left out (false): bodies written before it existed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requirePredecessor = try c.decode(Bool.self, forKey: .requirePredecessor)
        minimumSoakSeconds = try c.decodeIfPresent(Int.self, forKey: .minimumSoakSeconds)
        requiredApprovals = try c.decode(Int.self, forKey: .requiredApprovals)
        independentApprovals = try c.decodeIfPresent(Bool.self, forKey: .independentApprovals) ?? false
    }
}

/// One ordered stage of a project, pointing at one candidate (or none yet).
public struct EnvironmentRecord: Codable, Sendable, Hashable {
    public var project: String
    public var name: String
    /// 0 for the first environment (e.g. sandbox), increasing towards production.
    public var position: Int
    public var policy: EnvironmentPolicy
    /// The candidate manifest the environment points at.
    public var current: Digest?
    /// Bumped by every pointer move; the compare-and-swap token.
    public var generation: Int64
    public var updatedAt: Date?
    public var updatedBy: String?

    public init(project: String, name: String, position: Int, policy: EnvironmentPolicy,
                current: Digest? = nil, generation: Int64 = 0, updatedAt: Date? = nil, updatedBy: String? = nil) {
        self.project = project
        self.name = name
        self.position = position
        self.policy = policy
        self.current = current
        self.generation = generation
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// One artifact of a candidate: a named archive blob.
public struct ArtifactRecord: Codable, Sendable, Hashable {
    public var name: String
    public var digest: Digest
    public var size: Int64
    public var mediaType: String

    public init(name: String, digest: Digest, size: Int64, mediaType: String) {
        self.name = name
        self.digest = digest
        self.size = size
        self.mediaType = mediaType
    }
}

/// An immutable release candidate: the index row for a candidate manifest blob.
public struct CandidateRecord: Codable, Sendable, Hashable {
    public var project: String
    /// `<version>-rc.<n>`; never moves.
    public var tag: String
    /// Digest of the manifest's exact bytes.
    public var digest: Digest
    public var version: String
    public var rc: Int
    public var commit: String
    public var parent: Digest?
    public var cherryPicks: [String]
    public var configDigest: Digest
    public var manifestSize: Int64
    public var artifacts: [ArtifactRecord]
    public var createdAt: Date
    public var createdBy: String

    public init(project: String, tag: String, digest: Digest, version: String, rc: Int, commit: String,
                parent: Digest?, cherryPicks: [String], configDigest: Digest, manifestSize: Int64,
                artifacts: [ArtifactRecord], createdAt: Date, createdBy: String) {
        self.project = project
        self.tag = tag
        self.digest = digest
        self.version = version
        self.rc = rc
        self.commit = commit
        self.parent = parent
        self.cherryPicks = cherryPicks
        self.configDigest = configDigest
        self.manifestSize = manifestSize
        self.artifacts = artifacts
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// How an environment pointer moved.
public enum DeploymentKind: String, Codable, Sendable, CaseIterable {
    case promote
    case rollback
    /// Single-step mode deploying a new candidate automatically.
    case auto
}

/// An append-only record that an environment's pointer moved.
public struct DeploymentRecord: Codable, Sendable, Hashable {
    /// Assigned by the store, increasing.
    public var id: Int64
    public var project: String
    public var environment: String
    public var from: Digest?
    public var to: Digest
    public var kind: DeploymentKind
    public var actor: String
    public var at: Date
    public var reason: String?
    /// Policy rules that were overridden with --force (empty when none).
    public var overridden: [String]
    /// The audit entry that records this move.
    public var auditSeq: Int64

    public init(id: Int64, project: String, environment: String, from: Digest?, to: Digest, kind: DeploymentKind,
                actor: String, at: Date, reason: String?, overridden: [String], auditSeq: Int64) {
        self.id = id
        self.project = project
        self.environment = environment
        self.from = from
        self.to = to
        self.kind = kind
        self.actor = actor
        self.at = at
        self.reason = reason
        self.overridden = overridden
        self.auditSeq = auditSeq
    }
}

/// A pointer move to be recorded (id and audit sequence are assigned by the store).
public struct DeploymentDraft: Sendable, Hashable {
    public var to: Digest
    public var kind: DeploymentKind
    public var actor: String
    public var at: Date
    public var reason: String?
    public var overridden: [String]
    /// The move's signed statement (a DSSE envelope), kept with the deployment row in the
    /// same transaction; the audit entry names its digest.
    public var statement: [UInt8]?

    public init(to: Digest, kind: DeploymentKind, actor: String, at: Date, reason: String?, overridden: [String],
                statement: [UInt8]? = nil) {
        self.to = to
        self.kind = kind
        self.actor = actor
        self.at = at
        self.reason = reason
        self.overridden = overridden
        self.statement = statement
    }
}

/// Someone's approval of a candidate for an environment.
public struct ApprovalRecord: Codable, Sendable, Hashable {
    public var project: String
    public var environment: String
    public var candidate: Digest
    public var actor: String
    public var at: Date
    public var comment: String?

    public init(project: String, environment: String, candidate: Digest, actor: String, at: Date, comment: String?) {
        self.project = project
        self.environment = environment
        self.candidate = candidate
        self.actor = actor
        self.at = at
        self.comment = comment
    }
}
