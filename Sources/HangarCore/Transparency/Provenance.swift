import Foundation

/// SLSA v1 provenance for a candidate, as an in-toto Statement v1: the subjects are the
/// candidate's artifacts by sha256, the predicate says what was built from which commit,
/// by which builder, in which CI run.
public enum Provenance {
    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let predicateType = "https://slsa.dev/provenance/v1"
    public static let buildType = "https://hangar.dev/buildtypes/release-candidate/v1"
    /// DSSE payload type of an in-toto statement.
    public static let payloadType = "application/vnd.in-toto+json"
    /// `artifactType` of the OCI artifact that carries the signed provenance.
    public static let artifactType = "application/vnd.dev.hangar.provenance.v1+dsse"

    /// The statement's canonical bytes.
    public static func statement(for config: CandidateConfig, artifacts: [ArtifactRecord], startedOn: Date?) -> [UInt8] {
        var external: [String: CanonicalJSON] = [
            "project": .string(config.project), "version": .string(config.version), "rc": .int(Int64(config.rc)),
            "commit": .string(config.commit), "cherryPicks": .array(config.cherryPicks.map { .string($0) }),
        ]
        if let r = config.repository { external["repository"] = .string(r) }
        var dependency: [String: CanonicalJSON] = ["digest": .object(["gitCommit": .string(config.commit)])]
        if let r = config.repository { dependency["uri"] = .string("git+\(r)") }
        var metadata: [String: CanonicalJSON] = ["finishedOn": .string(Timestamp.format(config.createdAt))]
        if let startedOn { metadata["startedOn"] = .string(Timestamp.format(startedOn)) }
        if let run = config.ciRun { metadata["invocationId"] = .string(run) }
        let predicate: CanonicalJSON = .object([
            "buildDefinition": .object([
                "buildType": .string(buildType), "externalParameters": .object(external),
                "internalParameters": .object(["createdBy": .string(config.createdBy)]),
                "resolvedDependencies": .array([.object(dependency)]),
            ]),
            "runDetails": .object([
                "builder": .object(["id": .string(config.builder ?? "urn:hangar:cli:\(config.createdBy)")]),
                "metadata": .object(metadata),
            ]),
        ])
        return CanonicalJSON.object([
            "_type": .string(statementType), "predicateType": .string(predicateType), "predicate": predicate,
            "subject": .array(artifacts.map { .object(["name": .string($0.name), "digest": .object(["sha256": .string($0.digest.hex)])]) }),
        ]).bytes
    }

    /// The parts of a statement a verifier checks.
    public struct Parsed: Sendable {
        public var subjects: [(name: String, sha256: String)]
        public var predicateType: String
        public var commit: String?
        public var version: String?
        public var rc: Int?
        public var builder: String?
    }

    public static func parse(_ bytes: [UInt8]) throws -> Parsed {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              root["_type"] as? String == statementType,
              let subjects = root["subject"] as? [[String: Any]],
              let predicate = root["predicate"] as? [String: Any] else {
            throw HangarError.integrity("provenance is not an in-toto Statement v1")
        }
        let build = predicate["buildDefinition"] as? [String: Any]
        let external = build?["externalParameters"] as? [String: Any]
        let run = predicate["runDetails"] as? [String: Any]
        return Parsed(
            subjects: subjects.map { ($0["name"] as? String ?? "", ($0["digest"] as? [String: Any])?["sha256"] as? String ?? "") },
            predicateType: root["predicateType"] as? String ?? "",
            commit: external?["commit"] as? String, version: external?["version"] as? String,
            rc: (external?["rc"] as? NSNumber)?.intValue,
            builder: ((run?["builder"] as? [String: Any])?["id"] as? String))
    }
}

/// The signed statement of one pointer move, stored as a DSSE envelope blob whose digest
/// the move's audit entry records (`envelope`).
public enum DeploymentStatement {
    public static let payloadType = "application/vnd.dev.hangar.deployment.v1+json"

    public static func bytes(project: String, environment: String, from: Digest?, draft: DeploymentDraft, tag: String) -> [UInt8] {
        var f: [String: CanonicalJSON] = [
            "_type": .string("https://hangar.dev/deployment/v1"), "project": .string(project),
            "environment": .string(environment), "to": .string(draft.to.description), "tag": .string(tag),
            "kind": .string(draft.kind.rawValue), "actor": .string(draft.actor), "at": .string(Timestamp.format(draft.at)),
            "overridden": .array(draft.overridden.map { .string($0) }),
        ]
        f["from"] = from.map { .string($0.description) } ?? .null
        f["reason"] = draft.reason.map { .string($0) } ?? .null
        return CanonicalJSON.object(f).bytes
    }

    /// The statement a deployment record should have been signed as.
    public static func bytes(for d: DeploymentRecord, tag: String) -> [UInt8] {
        bytes(project: d.project, environment: d.environment, from: d.from,
              draft: DeploymentDraft(to: d.to, kind: d.kind, actor: d.actor, at: d.at, reason: d.reason, overridden: d.overridden),
              tag: tag)
    }
}
