import Foundation

/// What a token may do. `ci` pushes and cuts; `deployer` reads; `releaser` promotes and
/// rolls back in the environments it names; `auditor` reads history and audit; `admin` all.
public enum Role: String, Codable, Sendable, CaseIterable {
    case ci, deployer, releaser, auditor, admin
}

/// An API token. Only the SHA-256 of its secret is kept; the secret is shown once.
/// The secret a client presents is `hgr_<id>_<secret>`: the id finds the record, the
/// secret's hash is compared in constant time.
public struct TokenRecord: Codable, Sendable, Hashable {
    /// Public identifier (shown in lists and audit entries), e.g. `k3j9x0a1b2c3`.
    public var id: String
    /// A label for people and the actor name in the audit log, e.g. `ci-checkout`.
    public var name: String
    public var role: Role
    /// Projects it applies to; empty means every project.
    public var projects: [String]
    /// For `releaser`: environments it may move; empty means every environment.
    public var environments: [String]
    /// Hex SHA-256 of the secret part.
    public var secretHash: String
    public var createdAt: Date
    public var createdBy: String
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, projects: [String], environments: [String], secretHash: String,
                createdAt: Date, createdBy: String, expiresAt: Date?, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.projects = projects
        self.environments = environments
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// A manifest pushed to a project over the OCI API (candidates are recorded here too).
public struct ManifestRecord: Codable, Sendable, Hashable {
    public var project: String
    public var digest: Digest
    public var mediaType: String
    public var artifactType: String?
    public var size: Int64
    /// The manifest this one refers to (OCI `subject`), for the referrers API.
    public var subject: Digest?
    public var annotations: [String: String]
    /// Blobs and child manifests it references (config, layers, index entries).
    public var references: [Digest]
    public var createdAt: Date

    public init(project: String, digest: Digest, mediaType: String, artifactType: String?, size: Int64, subject: Digest?,
                annotations: [String: String], references: [Digest], createdAt: Date) {
        self.project = project
        self.digest = digest
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.size = size
        self.subject = subject
        self.annotations = annotations
        self.references = references
        self.createdAt = createdAt
    }
}

/// A plain OCI tag of a project (not a candidate tag, not an environment).
public struct TagRecord: Codable, Sendable, Hashable {
    public var project: String
    public var tag: String
    public var digest: Digest
    public var updatedAt: Date
    public var updatedBy: String

    public init(project: String, tag: String, digest: Digest, updatedAt: Date, updatedBy: String) {
        self.project = project
        self.tag = tag
        self.digest = digest
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// What a deploy agent says happened when it acted on a deployment.
public struct DeploymentReport: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable { case inProgress = "in-progress", succeeded, failed }
    public var deploymentID: Int64
    public var project: String
    public var environment: String
    /// The agent's name (its token name or host).
    public var agent: String
    public var status: Status
    public var message: String?
    public var at: Date

    public init(deploymentID: Int64, project: String, environment: String, agent: String, status: Status, message: String?, at: Date) {
        self.deploymentID = deploymentID
        self.project = project
        self.environment = environment
        self.agent = agent
        self.status = status
        self.message = message
        self.at = at
    }
}
