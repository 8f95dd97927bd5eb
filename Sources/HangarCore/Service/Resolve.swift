/// How a user named a candidate.
public enum CandidateRef: Sendable, Hashable, CustomStringConvertible {
    case digest(Digest)
    case tag(String)
    case environment(String)

    /// `sha256:…` is a digest, `<version>-rc.<n>` a tag, anything else an environment.
    public init(_ text: String) throws {
        if text.hasPrefix("sha256:") {
            self = .digest(try Digest(parsing: text))
        } else if Names.parseCandidateTag(text) != nil {
            self = .tag(text)
        } else if !text.isEmpty {
            self = .environment(text)
        } else {
            throw HangarError.invalid("an empty reference: give a candidate tag (2.4.0-rc.1), a digest (sha256:…) or an environment name")
        }
    }

    public var description: String {
        switch self {
        case .digest(let d): d.description
        case .tag(let t): t
        case .environment(let e): e
        }
    }
}

extension HangarService {
    /// The candidate a reference names in a project: a tag, a manifest digest, or the
    /// candidate an environment currently points at.
    func resolve(_ project: String, _ text: String) async throws -> CandidateRecord {
        _ = try await requireProject(project)
        let ref = try CandidateRef(text)
        switch ref {
        case .digest(let d):
            if let c = try await metadata.candidate(project: project, digest: d) { return c }
            throw HangarError.notFound("project \(project) has no candidate with digest \(d)")
        case .tag(let t):
            if let c = try await metadata.candidate(project: project, tag: t) { return c }
            throw HangarError.notFound("project \(project) has no candidate tagged \(t)")
        case .environment(let e):
            let env = try await requireEnvironment(project, e).env
            guard let current = env.current else {
                throw HangarError.notFound("environment \(e) of \(project) has no candidate yet")
            }
            guard let c = try await metadata.candidate(project: project, digest: current) else {
                throw HangarError.integrity("environment \(e) of \(project) points at \(current), which is not a known candidate")
            }
            return c
        }
    }
}

extension HangarService {
    /// Throws a clear error when `candidate` was collected: when, by which rule.
    func refuseIfCollected(_ candidate: CandidateRecord) async throws {
        guard let c = try await metadata.collectedCandidates(project: candidate.project).first(where: { $0.digest == candidate.digest }) else { return }
        throw HangarError.notFound("candidate \(c.tag) of \(c.project) was collected at \(Timestamp.format(c.at)) by retention rule '\(c.rule)': its records stay in history and audit, its bytes are gone")
    }
}
