import Foundation

/// What CI asks for when it cuts a release or cherry-picks onto one. The artifacts'
/// blobs must already be stored (see `storeArtifact`, or an OCI upload).
public struct CutRequest: Codable, Sendable, Hashable {
    public var project: String
    public var version: String
    /// The source commit of this candidate (for a cherry-pick: the release branch's new head).
    public var commit: String
    public var artifacts: [ArtifactRecord]
    /// For cherry-picks: the commits picked (default: `commit`).
    public var cherryPicks: [String]
    public var repository: String?
    public var builder: String?
    public var ciRun: String?
    /// When the build (or the upload of its outputs) started, for the provenance.
    public var startedOn: Date?
    /// Container images already pushed to the registry that are artifacts of the candidate
    /// too (after `artifacts`): `NAME` = `REPO@sha256:…`, an image manifest or index.
    public var images: [ImageSource]?
    /// The commits since the previous release (see `Changelog`), when the cutter read them.
    public var changelog: Changelog?

    public init(project: String, version: String, commit: String, artifacts: [ArtifactRecord], cherryPicks: [String] = [],
                repository: String? = nil, builder: String? = nil, ciRun: String? = nil, startedOn: Date? = nil) {
        self.startedOn = startedOn
        self.project = project
        self.version = version
        self.commit = commit
        self.artifacts = artifacts
        self.cherryPicks = cherryPicks
        self.repository = repository
        self.builder = builder
        self.ciRun = ciRun
    }
}

/// A new candidate and, in single-step mode, where it was deployed automatically.
public struct CutResult: Codable, Sendable {
    public var candidate: CandidateRecord
    public var autoDeployed: [DeploymentRecord]
    /// In single-step mode, why automatic deployment stopped before the last environment.
    public var stoppedBecause: [String]
}

extension HangarService {
    /// Creates rc.1 of a new version. Refused if the version already has candidates.
    func cut(_ request: CutRequest, actor: String) async throws -> CutResult {
        try validate(request)
        _ = try await requireProject(request.project)
        let existing = try await metadata.candidates(project: request.project, version: request.version)
        if let last = existing.last {
            throw HangarError.conflict("version \(request.version) of \(request.project) already exists (up to \(last.tag)): use 'hangar cherry-pick' to make the next candidate")
        }
        return try await createCandidate(request, rc: 1, parent: nil, cherryPicks: [], actor: actor)
    }

    /// Creates rc.n+1 of an existing version, whose parent is rc.n.
    func cherryPick(_ request: CutRequest, actor: String) async throws -> CutResult {
        try validate(request)
        for pick in request.cherryPicks { try Names.checkCommit(pick) }
        _ = try await requireProject(request.project)
        guard let parent = try await metadata.candidates(project: request.project, version: request.version).last else {
            throw HangarError.notFound("version \(request.version) of \(request.project) has no candidates to cherry-pick onto: cut it first")
        }
        let picks = request.cherryPicks.isEmpty ? [request.commit] : request.cherryPicks
        return try await createCandidate(request, rc: parent.rc + 1, parent: parent.digest, cherryPicks: picks, actor: actor)
    }

    private func validate(_ request: CutRequest) throws {
        try Names.checkProject(request.project)
        try Names.checkVersion(request.version)
        try Names.checkCommit(request.commit)
        guard !request.artifacts.isEmpty else {
            throw HangarError.invalid("a candidate of \(request.project) needs at least one artifact (--artifact NAME=PATH)")
        }
        var seen = Set<String>()
        for a in request.artifacts {
            try Names.checkArtifact(a.name)
            guard seen.insert(a.name).inserted else { throw HangarError.invalid("artifact '\(a.name)' is given twice") }
        }
        try request.changelog?.validate()
    }

    private func createCandidate(_ request: CutRequest, rc: Int, parent: Digest?, cherryPicks: [String], actor: String) async throws -> CutResult {
        for a in request.artifacts {
            guard let size = try await blobs.stat(a.digest) else {
                throw HangarError.notFound("artifact '\(a.name)' names blob \(a.digest), which is not in the store: upload it first")
            }
            guard size == a.size else {
                throw HangarError.integrity("artifact '\(a.name)' declares \(a.size) bytes but blob \(a.digest) has \(size)")
            }
            if a.isImage, try await metadata.manifest(project: request.project, digest: a.digest)?.mediaType != a.mediaType {
                throw HangarError.notFound("artifact '\(a.name)' is a container image \(a.digest) that is not a manifest of \(request.project): name it with --image NAME=REPO@DIGEST")
            }
        }
        if let since = request.changelog?.since, try await metadata.candidate(project: request.project, digest: since) == nil {
            throw HangarError.notFound("the changelog follows \(since), which is not a candidate of \(request.project)")
        }
        let tag = Names.candidateTag(version: request.version, rc: rc)
        if try await metadata.tag(project: request.project, name: tag) != nil {
            throw HangarError.conflict("\(request.project) has a plain tag \(tag) (pushed over the OCI API): a candidate cannot take its name; delete the tag or cut another version")
        }
        let at = now()
        let config = CandidateConfig(
            project: request.project, version: request.version, rc: rc, commit: request.commit,
            repository: request.repository, parent: parent, cherryPicks: cherryPicks, createdAt: at,
            createdBy: actor, builder: request.builder, ciRun: request.ciRun, changelog: request.changelog)
        let configBlob = try await blobs.put(config.canonicalBytes)
        let manifest = config.manifest(configSize: configBlob.size, configDigest: configBlob.digest, artifacts: request.artifacts)
        let manifestBlob = try await blobs.put(manifest.canonicalBytes)
        let candidate = CandidateRecord(
            project: request.project, tag: config.tag, digest: manifestBlob.digest, version: request.version, rc: rc,
            commit: request.commit, parent: parent, cherryPicks: cherryPicks, configDigest: configBlob.digest,
            manifestSize: manifestBlob.size, artifacts: request.artifacts, createdAt: at, createdBy: actor)
        let provenance = try await signProvenance(config, candidate, startedOn: request.startedOn)
        var work = UnitOfWork([.insertCandidate(candidate)], audit: candidateAudit(candidate))
        if let provenance {  // one transaction: no candidate without its provenance
            work.changes.append(.putManifest(provenance.manifest, tag: nil))
            work.audit.append(provenanceAudit(provenance, of: candidate))
        }
        try await metadata.apply(work)
        return try await autoDeployIfSingleStep(candidate, actor: actor)
    }

    private func candidateAudit(_ c: CandidateRecord) -> [AuditDraft] {
        var details = [
            "tag": c.tag, "version": c.version, "rc": String(c.rc), "commit": c.commit,
            "artifacts": c.artifacts.map { "\($0.name)=\($0.digest)" }.joined(separator: ","),
        ]
        details["parent"] = c.parent?.description
        if !c.cherryPicks.isEmpty { details["cherryPicks"] = c.cherryPicks.joined(separator: ",") }
        return [
            AuditDraft(at: c.createdAt, actor: c.createdBy, action: .candidateCreated, project: c.project,
                       subject: c.digest.description, details: details),
            AuditDraft(at: c.createdAt, actor: c.createdBy, action: .tagSet, project: c.project,
                       subject: c.tag, details: ["digest": c.digest.description]),
        ]
    }

    /// Single-step mode: deploy the new candidate environment by environment, stopping at
    /// the first one whose policy still refuses it (approvals, soak time).
    private func autoDeployIfSingleStep(_ candidate: CandidateRecord, actor: String) async throws -> CutResult {
        var result = CutResult(candidate: candidate, autoDeployed: [], stoppedBecause: [])
        guard try await requireProject(candidate.project).singleStep else { return result }
        for env in try await metadata.environments(project: candidate.project) {
            do {
                let outcome = try await promote(candidate.project, ref: candidate.digest.description, to: env.name,
                                                kind: .auto, actor: actor)
                if let d = outcome.deployment { result.autoDeployed.append(d) }
            } catch let e as HangarError where e.kind == .policy {
                result.stoppedBecause = [e.message]
                break
            }
        }
        return result
    }
}
