import Foundation

/// API tokens (hashes only).
public protocol TokenStore: Sendable {
    /// Stores a new token and appends `audit` in one transaction. `conflict` if the id or
    /// the name is taken.
    func insertToken(_ token: TokenRecord, audit: AuditDraft) async throws
    /// The token with this id (revoked and expired ones included), or nil.
    func token(id: String) async throws -> TokenRecord?
    /// Every token, by creation time.
    func tokens() async throws -> [TokenRecord]
    /// Marks a token revoked and appends `audit`. `notFound` if there is no such token.
    /// Revoking a revoked token keeps the time of its first revocation.
    func revokeToken(id: String, at: Date, audit: AuditDraft) async throws
}

/// Manifests pushed over the OCI API, their plain tags, referrers, and which blobs
/// belong to which project.
public protocol ManifestIndex: Sendable {
    // Manifests and blob links are recorded by units of work (`MetadataChange`).
    /// The manifest of this digest in the project, or nil. A candidate's manifest digest is
    /// answered too (unless pushed as well): OCI image manifest, artifact type
    /// `application/vnd.hangar.candidate.v1+json`, references = config then artifacts,
    /// no subject or annotations, the candidate's creation time.
    func manifest(project: String, digest: Digest) async throws -> ManifestRecord?
    /// The plain tag, or nil.
    func tag(project: String, name: String) async throws -> TagRecord?
    /// The project's plain tags sorted by name, those after `after` when given, at most `limit`.
    func tags(project: String, after: String?, limit: Int?) async throws -> [TagRecord]
    /// Manifests whose `subject` is `digest`, oldest first (recorded manifests only).
    func referrers(project: String, subject: Digest) async throws -> [ManifestRecord]
    /// Removes a manifest record and every plain tag pointing at it, appending `audit` with
    /// `details["tags"]` set to the tags removed (comma-separated, read in the same
    /// transaction: a tag pushed a moment before is named, never lost unrecorded).
    /// The caller checks first that no candidate or environment history needs it.
    /// `notFound` if the project has no such recorded manifest.
    /// `denied` (`ServerStoreRules.artifactOfCandidate`) when a candidate of the project
    /// names the manifest as an artifact.
    func deleteManifest(project: String, digest: Digest, audit: AuditDraft) async throws
    /// Removes a plain tag (the manifest stays), appending `audit`; one transaction.
    /// `notFound` if the project has no such tag.
    func deleteTag(project: String, name: String, audit: AuditDraft) async throws
    /// Whether the blob was uploaded to, mounted into, or referenced by a manifest of the
    /// project, or is the config or an artifact of one of its candidates.
    func isBlobLinked(project: String, digest: Digest) async throws -> Bool
}

/// What deploy agents report about deployments.
public protocol DeploymentReports: Sendable {
    /// Stores a report and appends `audit`. `notFound` if the deployment does not exist
    /// (as a deployment of the report's environment of its project).
    func addReport(_ report: DeploymentReport, audit: AuditDraft) async throws
    /// Reports of one environment, newest first (in recorded order); of one deployment when given.
    func reports(project: String, environment: String, deploymentID: Int64?) async throws -> [DeploymentReport]
}

/// Rules every backend enforces the same way, with the same words.
public enum ServerStoreRules {
    /// `deleteManifest` of a manifest a candidate names as an artifact (a container image):
    /// checked in the deleting transaction, so a cut naming it at the same moment cannot
    /// lose it.
    public static func artifactOfCandidate(_ digest: Digest, project: String, artifact: String, tag: String) -> HangarError {
        HangarError(.denied, "manifest \(digest) is artifact '\(artifact)' of candidate \(tag) of \(project): candidates are immutable and never deleted",
                    registryCode: .denied)
    }
}
