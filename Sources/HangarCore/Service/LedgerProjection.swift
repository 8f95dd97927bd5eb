/// The state the audit log says there is, replayed entry by entry: projects and their
/// environments (policy, pointer, generation), candidates, tokens and approvals. `audit
/// verify` compares it with the tables, so a row edited, added or deleted behind the
/// service's back is named even when the hash chain itself is intact.
struct LedgerProjection {
    struct Environment: Equatable {
        var name: String
        var policy: EnvironmentPolicy
        var current: String?
        var generation: Int64 = 0
    }

    struct Token: Equatable {
        var name: String, role: String, projects: String, environments: String, expiresAt: String?
        var revoked = false

        var fields: [(String, String)] {
            [("name", name), ("role", role), ("projects", projects), ("environments", environments),
             ("expiry", expiresAt ?? "none"), ("revoked", String(revoked))]
        }
    }

    /// "field is A, the audit log says B" for each field that differs.
    static func differing(_ have: [(String, String)], _ want: [(String, String)]) -> String {
        zip(have, want).filter { $0.0.1 != $0.1.1 }.map { "\($0.0.0) is \($0.0.1.isEmpty ? "empty" : $0.0.1), the audit log says \($0.1.1.isEmpty ? "empty" : $0.1.1)" }
            .joined(separator: "; ")
    }

    static func fields(_ p: EnvironmentPolicy) -> [(String, String)] {
        [("require-predecessor", String(p.requirePredecessor)), ("soak", p.minimumSoakSeconds.map { "\($0) s" } ?? "none"),
         ("required approvals", String(p.requiredApprovals)), ("independent approvals", String(p.independentApprovals))]
    }

    private(set) var singleStep: [String: Bool] = [:]
    private(set) var environments: [String: [Environment]] = [:]
    /// project → candidate digest → what its `candidate.created` entry recorded.
    private(set) var candidates: [String: [String: [String: String]]] = [:]
    private(set) var tokens: [String: Token] = [:]
    /// "project environment digest" → approvers.
    private(set) var approvals: [String: Set<String>] = [:]

    mutating func apply(_ e: AuditEntry) {
        let d = e.details
        switch (AuditAction(rawValue: e.action), e.project) {
        case (.projectCreated?, let project?):
            singleStep[project] = d["singleStep"] == "true"
            let names = (d["environments"] ?? "").split(separator: ",").map(String.init)
            environments[project] = names.enumerated().map { Environment(name: $1, policy: EnvironmentPolicy(requirePredecessor: $0 > 0)) }
        case (.projectUpdated?, let project?):
            singleStep[project] = d["singleStep"] == "true"
        case (.policySet?, let project?):
            update(project, e.subject) {
                $0.policy = EnvironmentPolicy(requirePredecessor: d["requirePredecessor"] == "true",
                                              minimumSoakSeconds: d["minimumSoakSeconds"].flatMap { Int($0) },
                                              requiredApprovals: d["requiredApprovals"].flatMap { Int($0) } ?? 0,
                                              independentApprovals: d["independentApprovals"] == "true")
            }
        case (.candidateCreated?, let project?):
            if let digest = e.subject { candidates[project, default: [:]][digest] = d }
        case (.promotion?, let project?), (.rollback?, let project?):
            update(project, d["environment"]) {
                $0.current = d["to"]
                $0.generation += 1
            }
        case (.approval?, let project?):
            if let digest = e.subject, let env = d["environment"] { approvals["\(project) \(env) \(digest)", default: []].insert(e.actor) }
        case (.tokenIssued?, _):
            if let id = e.subject {
                tokens[id] = Token(name: d["name"] ?? "", role: d["role"] ?? "", projects: d["projects"] ?? "",
                                   environments: d["environments"] ?? "", expiresAt: d["expiresAt"])
            }
        case (.tokenRevoked?, _):
            if let id = e.subject { tokens[id]?.revoked = true }
        default:
            break
        }
    }

    private mutating func update(_ project: String, _ environment: String?, _ change: (inout Environment) -> Void) {
        guard let environment, let i = environments[project]?.firstIndex(where: { $0.name == environment }) else { return }
        change(&environments[project]![i])
    }

    /// Every way the stored state differs from this projection, each naming the row.
    func differences(from metadata: any MetadataStore) async throws -> [String] {
        var out: [String] = []
        let stored = try await metadata.projects()
        for p in stored {
            guard let expected = environments[p.name] else {
                out.append("project \(p.name) exists, but the audit log never created it")
                continue
            }
            if p.singleStep != singleStep[p.name] { out.append("project \(p.name): single-step is \(p.singleStep), the audit log says \(singleStep[p.name] ?? false)") }
            out += try await environmentDifferences(p.name, expected, metadata)
            out += try await candidateDifferences(p.name, metadata)
        }
        for name in Set(environments.keys).subtracting(stored.map(\.name)).sorted() {
            out.append("project \(name) was created in the audit log but is missing")
        }
        out += try await tokenDifferences(metadata)
        return out
    }

    private func environmentDifferences(_ project: String, _ expected: [Environment], _ metadata: any MetadataStore) async throws -> [String] {
        let stored = try await metadata.environments(project: project)
        guard stored.map(\.name) == expected.map(\.name) else {
            return ["project \(project) has environments \(stored.map(\.name)), the audit log says \(expected.map(\.name))"]
        }
        var out: [String] = []
        for (row, want) in zip(stored, expected) {
            let at = "environment \(row.name) of \(project)"
            if row.current?.description != want.current {
                out.append("\(at) points at \(row.current?.description ?? "nothing"), the audit log says \(want.current ?? "nothing")")
            }
            if row.generation != want.generation { out.append("\(at) is at generation \(row.generation), the audit log records \(want.generation) moves") }
            if row.policy != want.policy { out.append("\(at): policy \(Self.differing(Self.fields(row.policy), Self.fields(want.policy)))") }
        }
        var recorded: [String: Set<String>] = [:]
        for a in try await metadata.approvals(project: project) {
            recorded["\(project) \(a.environment) \(a.candidate)", default: []].insert(a.actor)
        }
        for key in Set(recorded.keys).union(approvals.keys.filter { $0.hasPrefix(project + " ") }).sorted() {
            let (have, want) = (recorded[key] ?? [], approvals[key] ?? [])
            if have != want {
                let parts = key.split(separator: " ")
                out.append("approvals of \(parts[2]) for \(parts[1]) of \(project) are by \(have.sorted()), the audit log says \(want.sorted())")
            }
        }
        return out
    }

    private func candidateDifferences(_ project: String, _ metadata: any MetadataStore) async throws -> [String] {
        var out: [String] = []
        var expected = candidates[project] ?? [:]
        for c in try await metadata.candidates(project: project, version: nil) {
            guard let d = expected.removeValue(forKey: c.digest.description) else {
                out.append("candidate \(c.tag) (\(c.digest)) of \(project) exists, but the audit log never created it")
                continue
            }
            let artifacts = c.artifacts.map { "\($0.name)=\($0.digest)" }.joined(separator: ",")
            let recorded = [("tag", c.tag), ("version", c.version), ("rc", String(c.rc)), ("commit", c.commit), ("artifacts", artifacts)]
            for (field, value) in recorded where d[field] != value {
                out.append("candidate \(c.tag) (\(c.digest)) of \(project): \(field) is \(value), the audit log says \(d[field] ?? "nothing")")
            }
        }
        for (digest, d) in expected.sorted(by: { $0.key < $1.key }) {
            out.append("candidate \(d["tag"] ?? "?") (\(digest)) of \(project) was created in the audit log but is missing")
        }
        return out
    }

    private func tokenDifferences(_ metadata: any MetadataStore) async throws -> [String] {
        var out: [String] = []
        var expected = tokens
        for t in try await metadata.tokens() {
            guard let want = expected.removeValue(forKey: t.id) else {
                out.append("token \(t.id) (\(t.name)) exists, but the audit log never issued it")
                continue
            }
            let have = Token(name: t.name, role: t.role.rawValue, projects: t.projects.joined(separator: ","),
                             environments: t.environments.joined(separator: ","), expiresAt: t.expiresAt.map(Timestamp.format),
                             revoked: t.revokedAt != nil)
            if have != want { out.append("token \(t.id) (\(t.name)): \(Self.differing(have.fields, want.fields))") }
        }
        for id in expected.keys.sorted() { out.append("token \(id) was issued in the audit log but is missing") }
        return out
    }
}
