import Foundation
import HangarCore

/// Sample records and small helpers the metadata store suite builds its checks from.
public enum MetadataFixtures {
    /// 2026-11-18T…Z, a whole millisecond.
    public static let t0 = Timestamp.date(milliseconds: 1_795_000_000_000)

    /// `t0` plus `seconds` (fractions kept to the millisecond).
    public static func at(_ seconds: Double) -> Date {
        Timestamp.date(milliseconds: 1_795_000_000_000 + Int64((seconds * 1000).rounded()))
    }

    /// The SHA-256 of `label`, a stand-in for a manifest or artifact digest.
    public static func digest(_ label: String) -> Digest {
        SHA256Hasher.digest(Array(label.utf8))
    }

    public static func project(_ name: String = "acme/checkout", singleStep: Bool = false) -> ProjectRecord {
        ProjectRecord(name: name, singleStep: singleStep, createdAt: t0, createdBy: "admin")
    }

    /// Environments at positions 0…n-1, production needing two approvals.
    public static func environments(_ project: String = "acme/checkout",
                                    _ names: [String] = ["sandbox", "staging", "production"]) -> [EnvironmentRecord] {
        names.enumerated().map { index, name in
            let policy = name == "production"
                ? EnvironmentPolicy(requirePredecessor: true, minimumSoakSeconds: 3600, requiredApprovals: 2)
                : EnvironmentPolicy(requirePredecessor: index > 0)
            return EnvironmentRecord(project: project, name: name, position: index, policy: policy)
        }
    }

    /// A candidate `<version>-rc.<rc>` with three artifacts (deliberately not in name order).
    public static func candidate(_ project: String = "acme/checkout", version: String = "2.4.0", rc: Int,
                                 at date: Date = t0, parent: Digest? = nil) -> CandidateRecord {
        let tag = "\(version)-rc.\(rc)"
        let artifacts = ["web", "api", "migrations"].enumerated().map { i, name in
            ArtifactRecord(name: name, digest: digest("\(project) \(tag) \(name)"), size: Int64(1000 * (i + 1)),
                           mediaType: "application/vnd.hangar.artifact.v1.tar+zstd")
        }
        return CandidateRecord(
            project: project, tag: tag, digest: digest("\(project) \(tag) manifest"), version: version, rc: rc,
            commit: String(repeating: String(rc % 10), count: 40), parent: parent,
            cherryPicks: rc > 1 ? ["c0ffee\(rc)", "beef\(rc)"] : [], configDigest: digest("\(project) \(tag) config"),
            manifestSize: 900 + Int64(rc), artifacts: artifacts, createdAt: date, createdBy: "ci")
    }

    /// A link of `digest` into a project by `by` at `at(seconds)`.
    public static func link(_ digest: Digest, size: Int64? = 10, at seconds: Double = 0, by: String = "ci") -> BlobLink {
        BlobLink(digest: digest, size: size, at: at(seconds), by: by)
    }

    public static func draft(_ action: AuditAction, project: String? = "acme/checkout", subject: String? = nil,
                             at date: Date = t0, actor: String = "alice", details: [String: String] = [:]) -> AuditDraft {
        AuditDraft(at: date, actor: actor, action: action, project: project, subject: subject, details: details)
    }

    /// Creates `project` with the default environments and `count` candidates of 2.4.0
    /// (rc.1…rc.count, one second apart); returns the candidates.
    @discardableResult
    public static func seed(_ store: any MetadataStore, project: String = "acme/checkout",
                            candidates count: Int = 0) async throws -> [CandidateRecord] {
        try await store.createProject(Self.project(project), environments: environments(project),
                                      audit: draft(.projectCreated, project: project, subject: project))
        var made: [CandidateRecord] = []
        for rc in stride(from: 1, through: count, by: 1) {
            let c = candidate(project, rc: rc, at: at(Double(rc)), parent: made.last?.digest)
            try await store.insertCandidate(c, audit: [draft(.candidateCreated, project: project, subject: c.tag)])
            made.append(c)
        }
        return made
    }

    /// One environment of a project; a conformance failure if absent.
    public static func environment(_ store: any MetadataStore, _ project: String, _ name: String) async throws -> EnvironmentRecord {
        guard let env = try await store.environments(project: project).first(where: { $0.name == name }) else {
            throw ConformanceFailure("environment \(name) of \(project) is missing")
        }
        return env
    }

    /// Moves a pointer from its current generation, retrying on conflict (as a promoter
    /// racing others would); returns the record and the number of conflicts met.
    public static func move(_ store: any MetadataStore, project: String = "acme/checkout", environment: String,
                            to digest: Digest, at date: Date, actor: String = "alice",
                            kind: DeploymentKind = .promote) async throws -> (DeploymentRecord, conflicts: Int) {
        for conflicts in 0..<1000 {
            let generation = try await Self.environment(store, project, environment).generation
            let d = DeploymentDraft(to: digest, kind: kind, actor: actor, at: date, reason: "ship it", overridden: [])
            let audit = [draft(kind == .rollback ? .rollback : .promotion, project: project, subject: environment,
                               at: date, actor: actor, details: ["to": digest.description])]
            do {
                let record = try await store.movePointer(project: project, environment: environment,
                                                         expectedGeneration: generation, draft: d, audit: audit)
                return (record, conflicts)
            } catch let error as HangarError where error.kind == .conflict {
                continue
            }
        }
        throw ConformanceFailure("moving \(environment) of \(project) met 1000 conflicts in a row")
    }

    /// Every audit entry, read page by page.
    /// Moves `environment` to each candidate at once, all from generation 0, taking the
    /// stores in turn (several handles: several servers); one outcome per candidate.
    public static func raceFromGenerationZero(_ stores: [any MetadataStore], _ candidates: [CandidateRecord],
                                              environment: String) async -> [Result<DeploymentRecord, any Error>] {
        await withTaskGroup(of: Result<DeploymentRecord, any Error>.self) { group in
            for (i, candidate) in candidates.enumerated() {
                let store = stores[i % stores.count]
                group.addTask {
                    let d = DeploymentDraft(to: candidate.digest, kind: .promote, actor: "r\(i)", at: at(100), reason: nil, overridden: [])
                    do {
                        return .success(try await store.movePointer(
                            project: "acme/checkout", environment: environment, expectedGeneration: 0, draft: d,
                            audit: [draft(.promotion, subject: environment, actor: "r\(i)")]))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    public static func auditLog(_ store: any MetadataStore) async throws -> [AuditEntry] {
        var all: [AuditEntry] = []
        while true {
            let page = try await store.auditEntries(after: all.last?.seq ?? 0, limit: 7)
            if page.isEmpty { return all }
            all += page
        }
    }

    /// A token with a fixed hash (the store keeps whatever hash it is given).
    public static func token(_ id: String, name: String, role: Role = .ci, at date: Date = t0,
                             projects: [String] = [], environments: [String] = [], expiresAt: Date? = nil) -> TokenRecord {
        TokenRecord(id: id, name: name, role: role, projects: projects, environments: environments,
                    secretHash: digest("secret of \(id)").hex, createdAt: date, createdBy: "admin", expiresAt: expiresAt)
    }

    /// A pushed OCI manifest labelled `label`, referencing a config and two layers of its own.
    public static func manifest(_ label: String, project: String = "acme/checkout", subject: Digest? = nil,
                                at date: Date = t0) -> ManifestRecord {
        ManifestRecord(
            project: project, digest: digest("manifest \(label)"), mediaType: MediaType.ociManifest,
            artifactType: subject == nil ? nil : "application/vnd.example.signature.v1",
            size: 500 + Int64(label.utf8.count), subject: subject,
            annotations: ["org.opencontainers.image.title": label, "note": "of \(label)"],
            references: ["config", "layer 1", "layer 2"].map { digest("\(label) \($0)") }, createdAt: date)
    }

    /// A plain tag naming `manifest`.
    public static func tag(_ name: String, _ manifest: ManifestRecord, at date: Date = t0, by actor: String = "ci") -> TagRecord {
        TagRecord(project: manifest.project, tag: name, digest: manifest.digest, updatedAt: date, updatedBy: actor)
    }

    /// Requires the audit log to hold `count` entries ending with `actions`, in a chain that verifies.
    public static func requireAudit(_ store: any MetadataStore, count: Int, endingWith actions: [AuditAction],
                                    file: StaticString = #fileID, line: UInt = #line) async throws {
        let log = try await auditLog(store)
        try require(log.count == count, "\(count) audit entries, got \(log.count): \(log.map(\.action))", file: file, line: line)
        try require(log.suffix(actions.count).map(\.action) == actions.map(\.rawValue),
                    "the log ends with \(actions.map(\.rawValue)): \(log.map(\.action))", file: file, line: line)
        try require(AuditChain.verify(log, after: nil).isEmpty, "the chain verifies", file: file, line: line)
    }
}
