import Foundation
import HangarCore
import PostgresNIO

/// Conversions between PostgreSQL rows and metadata records, as the SQLite backend keeps
/// them: dates as BIGINT milliseconds, digests as `sha256:<hex>` text, lists and maps as
/// canonical JSON text (so an audit entry hashes the same on either backend).
enum PostgresRows {
    static func ms(_ date: Date) -> Int64 { Timestamp.milliseconds(date) }

    static func date(_ row: PostgresRandomAccessRow, _ column: String) throws -> Date {
        Timestamp.date(milliseconds: try row.int64(column))
    }

    static func optionalDate(_ row: PostgresRandomAccessRow, _ column: String) throws -> Date? {
        try row.optionalInt64(column).map { Timestamp.date(milliseconds: $0) }
    }

    static func digest(_ row: PostgresRandomAccessRow, _ column: String) throws -> Digest {
        let text = try row.string(column)
        guard let digest = Digest.valid(text) else {
            throw HangarError.integrity("stored value '\(text.prefix(80))' of column \(column) is not a digest")
        }
        return digest
    }

    static func optionalDigest(_ row: PostgresRandomAccessRow, _ column: String) throws -> Digest? {
        guard try row.optionalString(column) != nil else { return nil }
        return try digest(row, column)
    }

    static func jsonText(_ strings: [String]) -> String { CanonicalJSON.array(strings.map { .string($0) }).text }
    static func jsonText(_ map: [String: String]) -> String { CanonicalJSON.object(map.mapValues { .string($0) }).text }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ row: PostgresRandomAccessRow, _ column: String) throws -> T {
        let text = try row.string(column)
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw HangarError(.integrity, "stored value of column \(column) is not the expected JSON: \(text.prefix(200))", cause: error)
        }
    }

    static func project(_ row: PostgresRandomAccessRow) throws -> ProjectRecord {
        ProjectRecord(name: try row.string("name"), singleStep: try row.bool("single_step"),
                      createdAt: try date(row, "created_at"), createdBy: try row.string("created_by"))
    }

    static func environment(_ row: PostgresRandomAccessRow) throws -> EnvironmentRecord {
        let policy = EnvironmentPolicy(
            requirePredecessor: try row.bool("require_predecessor"), minimumSoakSeconds: try row.optionalInt("minimum_soak_seconds"),
            requiredApprovals: try row.int("required_approvals"), independentApprovals: try row.bool("independent_approvals"))
        return EnvironmentRecord(
            project: try row.string("project"), name: try row.string("name"), position: try row.int("position"), policy: policy,
            current: try optionalDigest(row, "current_digest"), generation: try row.int64("generation"),
            updatedAt: try optionalDate(row, "updated_at"), updatedBy: try row.optionalString("updated_by"))
    }

    static func artifact(_ row: PostgresRandomAccessRow) throws -> ArtifactRecord {
        ArtifactRecord(name: try row.string("name"), digest: try digest(row, "digest"), size: try row.int64("size"),
                       mediaType: try row.string("media_type"))
    }

    static func candidate(_ row: PostgresRandomAccessRow, artifacts: [ArtifactRecord]) throws -> CandidateRecord {
        CandidateRecord(
            project: try row.string("project"), tag: try row.string("tag"), digest: try digest(row, "digest"),
            version: try row.string("version"), rc: try row.int("rc"), commit: try row.string("source_commit"),
            parent: try optionalDigest(row, "parent"), cherryPicks: try decodeJSON([String].self, row, "cherry_picks"),
            configDigest: try digest(row, "config_digest"), manifestSize: try row.int64("manifest_size"),
            artifacts: artifacts, createdAt: try date(row, "created_at"), createdBy: try row.string("created_by"))
    }

    static func deployment(_ row: PostgresRandomAccessRow) throws -> DeploymentRecord {
        let kindText = try row.string("kind")
        guard let kind = DeploymentKind(rawValue: kindText) else {
            throw HangarError.integrity("stored deployment kind '\(kindText.prefix(40))' is unknown")
        }
        return DeploymentRecord(
            id: try row.int64("id"), project: try row.string("project"), environment: try row.string("environment"),
            from: try optionalDigest(row, "from_digest"), to: try digest(row, "to_digest"), kind: kind,
            actor: try row.string("actor"), at: try date(row, "at"), reason: try row.optionalString("reason"),
            overridden: try decodeJSON([String].self, row, "overridden"), auditSeq: try row.int64("audit_seq"))
    }

    static func approval(_ row: PostgresRandomAccessRow) throws -> ApprovalRecord {
        ApprovalRecord(project: try row.string("project"), environment: try row.string("environment"),
                       candidate: try digest(row, "candidate"), actor: try row.string("actor"), at: try date(row, "at"),
                       comment: try row.optionalString("comment"))
    }

    static func auditEntry(_ row: PostgresRandomAccessRow) throws -> AuditEntry {
        AuditEntry(
            seq: try row.int64("seq"), at: try date(row, "at"), actor: try row.string("actor"), action: try row.string("action"),
            project: try row.optionalString("project"), subject: try row.optionalString("subject"),
            details: try decodeJSON([String: String].self, row, "details"),
            prevHash: try row.string("prev_hash"), hash: try row.string("hash"))
    }

    static func token(_ row: PostgresRandomAccessRow) throws -> TokenRecord {
        let roleText = try row.string("role")
        guard let role = Role(rawValue: roleText) else {
            throw HangarError.integrity("stored token role '\(roleText.prefix(40))' is unknown")
        }
        return TokenRecord(
            id: try row.string("id"), name: try row.string("name"), role: role,
            projects: try decodeJSON([String].self, row, "projects"), environments: try decodeJSON([String].self, row, "environments"),
            secretHash: try row.string("secret_hash"), createdAt: try date(row, "created_at"), createdBy: try row.string("created_by"),
            expiresAt: try optionalDate(row, "expires_at"), revokedAt: try optionalDate(row, "revoked_at"))
    }

    static func manifest(_ row: PostgresRandomAccessRow, references: [Digest]) throws -> ManifestRecord {
        ManifestRecord(
            project: try row.string("project"), digest: try digest(row, "digest"), mediaType: try row.string("media_type"),
            artifactType: try row.optionalString("artifact_type"), size: try row.int64("size"),
            subject: try optionalDigest(row, "subject"), annotations: try decodeJSON([String: String].self, row, "annotations"),
            references: references, createdAt: try date(row, "created_at"))
    }

    static func tag(_ row: PostgresRandomAccessRow) throws -> TagRecord {
        TagRecord(project: try row.string("project"), tag: try row.string("name"), digest: try digest(row, "digest"),
                  updatedAt: try date(row, "updated_at"), updatedBy: try row.string("updated_by"))
    }

    static func report(_ row: PostgresRandomAccessRow) throws -> DeploymentReport {
        let statusText = try row.string("status")
        guard let status = DeploymentReport.Status(rawValue: statusText) else {
            throw HangarError.integrity("stored deployment report status '\(statusText.prefix(40))' is unknown")
        }
        return DeploymentReport(
            deploymentID: try row.int64("deployment_id"), project: try row.string("project"),
            environment: try row.string("environment"), agent: try row.string("agent"), status: status,
            message: try row.optionalString("message"), at: try date(row, "at"))
    }

    static func uploadSession(_ row: PostgresRandomAccessRow) throws -> UploadSessionRecord {
        UploadSessionRecord(id: try row.string("id"), project: try row.string("project"), owner: try row.string("owner"),
                            startedAt: try date(row, "started_at"), updatedAt: try date(row, "updated_at"))
    }
}
