import HangarCore
import Foundation
import GRDB

/// Conversions between SQLite rows and metadata records: dates as Int64 milliseconds,
/// digests as `sha256:<hex>` text, lists and maps as canonical JSON text.
enum SQLiteRows {
    /// Statement arguments, refusing text with a NUL character: SQLite (through GRDB)
    /// would cut it there, storing, matching or hashing something other than was given.
    static func arguments(_ values: [(any DatabaseValueConvertible)?]) throws -> StatementArguments {
        for case let text as String in values where text.utf8.contains(0) {
            let shown = text.replacingOccurrences(of: "\0", with: "\\0")
            throw HangarError.invalid("text '\(shown)' contains a NUL character, which the metadata store cannot keep")
        }
        return StatementArguments(values)
    }

    static func ms(_ date: Date) -> Int64 { Timestamp.milliseconds(date) }

    static func date(_ row: Row, _ column: String) throws -> Date {
        Timestamp.date(milliseconds: try row.decode(Int64.self, forColumn: column))
    }

    static func optionalDate(_ row: Row, _ column: String) throws -> Date? {
        try row.decode(Int64?.self, forColumn: column).map { Timestamp.date(milliseconds: $0) }
    }

    static func digest(_ row: Row, _ column: String) throws -> Digest {
        let text = try row.decode(String.self, forColumn: column)
        guard let digest = Digest.valid(text) else {
            throw HangarError.integrity("stored value '\(text)' of column \(column) is not a digest")
        }
        return digest
    }

    static func optionalDigest(_ row: Row, _ column: String) throws -> Digest? {
        guard try row.decode(String?.self, forColumn: column) != nil else { return nil }
        return try digest(row, column)
    }

    static func jsonText(_ strings: [String]) -> String {
        CanonicalJSON.array(strings.map { .string($0) }).text
    }

    static func jsonText(_ map: [String: String]) -> String {
        CanonicalJSON.object(map.mapValues { .string($0) }).text
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ row: Row, _ column: String) throws -> T {
        let text = try row.decode(String.self, forColumn: column)
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw HangarError(.integrity, "stored value of column \(column) is not the expected JSON: \(text)", cause: error)
        }
    }

    static func project(_ row: Row) throws -> ProjectRecord {
        ProjectRecord(
            name: try row.decode(forColumn: "name"), singleStep: try row.decode(forColumn: "single_step"),
            createdAt: try date(row, "created_at"), createdBy: try row.decode(forColumn: "created_by"))
    }

    static func environment(_ row: Row) throws -> EnvironmentRecord {
        let policy = EnvironmentPolicy(
            requirePredecessor: try row.decode(forColumn: "require_predecessor"),
            minimumSoakSeconds: try row.decode(forColumn: "minimum_soak_seconds"),
            requiredApprovals: try row.decode(forColumn: "required_approvals"),
            independentApprovals: try row.decode(forColumn: "independent_approvals"))
        return EnvironmentRecord(
            project: try row.decode(forColumn: "project"), name: try row.decode(forColumn: "name"),
            position: try row.decode(forColumn: "position"), policy: policy,
            current: try optionalDigest(row, "current_digest"), generation: try row.decode(forColumn: "generation"),
            updatedAt: try optionalDate(row, "updated_at"), updatedBy: try row.decode(forColumn: "updated_by"))
    }

    static func artifact(_ row: Row) throws -> ArtifactRecord {
        ArtifactRecord(
            name: try row.decode(forColumn: "name"), digest: try digest(row, "digest"),
            size: try row.decode(forColumn: "size"), mediaType: try row.decode(forColumn: "media_type"))
    }

    static func candidate(_ row: Row, artifacts: [ArtifactRecord]) throws -> CandidateRecord {
        CandidateRecord(
            project: try row.decode(forColumn: "project"), tag: try row.decode(forColumn: "tag"),
            digest: try digest(row, "digest"), version: try row.decode(forColumn: "version"),
            rc: try row.decode(forColumn: "rc"), commit: try row.decode(forColumn: "source_commit"),
            parent: try optionalDigest(row, "parent"),
            cherryPicks: try decodeJSON([String].self, row, "cherry_picks"),
            configDigest: try digest(row, "config_digest"), manifestSize: try row.decode(forColumn: "manifest_size"),
            artifacts: artifacts, createdAt: try date(row, "created_at"), createdBy: try row.decode(forColumn: "created_by"))
    }

    static func deployment(_ row: Row) throws -> DeploymentRecord {
        let kindText: String = try row.decode(forColumn: "kind")
        guard let kind = DeploymentKind(rawValue: kindText) else {
            throw HangarError.integrity("stored deployment kind '\(kindText)' is unknown")
        }
        return DeploymentRecord(
            id: try row.decode(forColumn: "id"), project: try row.decode(forColumn: "project"),
            environment: try row.decode(forColumn: "environment"), from: try optionalDigest(row, "from_digest"),
            to: try digest(row, "to_digest"), kind: kind, actor: try row.decode(forColumn: "actor"),
            at: try date(row, "at"), reason: try row.decode(forColumn: "reason"),
            overridden: try decodeJSON([String].self, row, "overridden"), auditSeq: try row.decode(forColumn: "audit_seq"))
    }

    static func approval(_ row: Row) throws -> ApprovalRecord {
        ApprovalRecord(
            project: try row.decode(forColumn: "project"), environment: try row.decode(forColumn: "environment"),
            candidate: try digest(row, "candidate"), actor: try row.decode(forColumn: "actor"),
            at: try date(row, "at"), comment: try row.decode(forColumn: "comment"))
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            seq: try row.decode(forColumn: "seq"), at: try date(row, "at"), actor: try row.decode(forColumn: "actor"),
            action: try row.decode(forColumn: "action"), project: try row.decode(forColumn: "project"),
            subject: try row.decode(forColumn: "subject"),
            details: try decodeJSON([String: String].self, row, "details"),
            prevHash: try row.decode(forColumn: "prev_hash"), hash: try row.decode(forColumn: "hash"))
    }
}
