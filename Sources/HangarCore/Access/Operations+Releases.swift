import Foundation

// MARK: Candidates, pointer moves, approvals and reports

extension Operations {
    /// Archives a build output and stores it (push; in `project` when named).
    public func storeArtifact(name: String, path: String, compression: ArchiveCompression = .zstd, project: String? = nil,
                              progress: ProgressHandler? = nil) async throws -> ArtifactUpload {
        try authorize(.push, project: project)
        return try await service.storeArtifact(name: name, path: path, compression: compression, actor: actor,
                                               project: project, progress: progress)
    }

    /// Cuts the next release candidate (cut). Its artifacts' blobs must be in the project.
    public func cut(_ request: CutRequest) async throws -> CutResult {
        let request = try await authorizeCut(request)
        return try await service.cut(request, actor: actor)
    }

    /// Cuts a candidate from a parent plus cherry-picked commits (cut).
    public func cherryPick(_ request: CutRequest) async throws -> CutResult {
        let request = try await authorizeCut(request)
        return try await service.cherryPick(request, actor: actor)
    }

    /// The principal may cut in the project, its images become artifacts (`Registry.imageArtifact`),
    /// and each artifact names a blob stored in the project (uploaded to it, or part of one
    /// of its candidates): a digest stored for another project cannot be borrowed by naming it.
    private func authorizeCut(_ request: CutRequest) async throws -> CutRequest {
        try authorize(.cut, project: request.project)
        try Names.checkProject(request.project)
        var request = request
        let registry = Registry(service: service)
        for image in request.images ?? [] {
            guard !request.artifacts.contains(where: { $0.name == image.name }) else {
                throw HangarError.invalid("artifact '\(image.name)' is given twice")
            }
            request.artifacts.append(try await registry.imageArtifact(image, project: request.project, by: principal))
        }
        request.images = nil
        for artifact in request.artifacts where !(try await service.metadata.isBlobLinked(project: request.project, digest: artifact.digest)) {
            throw HangarError.notFound("artifact '\(artifact.name)' names blob \(artifact.digest), which is not in \(request.project): upload it to /v2/\(request.project)/blobs/uploads/ first")
        }
        return request
    }

    /// Moves an environment to a candidate (promote in that environment).
    public func promote(_ project: String, ref: String, to environment: String,
                        options: MoveOptions = MoveOptions()) async throws -> MoveOutcome {
        try authorize(.promote, project: project, environment: environment)
        return try await service.promote(project, ref: ref, to: environment, options: options, kind: .promote, actor: actor)
    }

    /// Moves an environment back (rollback in that environment).
    public func rollback(_ project: String, environment: String, to ref: String? = nil,
                         options: MoveOptions = MoveOptions()) async throws -> MoveOutcome {
        try authorize(.rollback, project: project, environment: environment)
        return try await service.rollback(project, environment: environment, to: ref, options: options, actor: actor)
    }

    /// Approves a candidate for an environment (approve in that environment).
    public func approve(_ project: String, ref: String, environment: String, comment: String?) async throws -> ApprovalRecord {
        try authorize(.approve, project: project, environment: environment)
        return try await service.approve(project, ref: ref, environment: environment, comment: comment, actor: actor)
    }

    /// Records a deploy agent's report on a move (report); the move is found by its id.
    public func report(_ project: String, deploymentID: Int64, status: DeploymentReport.Status,
                       message: String?) async throws -> DeploymentReport {
        try authorize(.report, project: project)
        _ = try await service.requireProject(project)
        guard let move = try await service.deployment(project, id: deploymentID) else {
            throw HangarError.notFound("project \(project) has no deployment \(deploymentID)")
        }
        return try await service.reportDeployment(project: project, environment: move.environment, deploymentID: deploymentID,
                                                  status: status, message: message, agent: actor)
    }
}

// MARK: Reads

extension Operations {
    public func status(_ project: String) async throws -> [EnvironmentStatus] {
        try authorize(.read, project: project)
        return try await service.status(project)
    }

    public func snapshot(_ project: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot {
        try authorize(.read, project: project)
        return try await service.snapshot(project, candidates: candidates, deployments: deployments)
    }

    /// The project's candidates, newest first (`hangar candidates`).
    public func candidates(_ project: String, version: String?, limit: Int) async throws -> [CandidateSummary] {
        try authorize(.read, project: project)
        return try await service.candidates(project, version: version, limit: limit)
    }

    public func history(_ project: String, environment: String?, at: Date? = nil, limit: Int? = nil) async throws -> [HistoryEntry] {
        try authorize(.read, project: project)
        return try await service.history(project, environment: environment, at: at, limit: limit)
    }

    /// An environment's generation (for watchers).
    public func environment(_ project: String, _ name: String) async throws -> EnvironmentRecord {
        try authorize(.read, project: project)
        return try await service.requireEnvironment(project, name).env
    }

    public func resolve(_ project: String, _ ref: String) async throws -> CandidateRecord {
        try authorize(.read, project: project)
        return try await service.resolve(project, ref)
    }

    public func show(_ project: String, ref: String) async throws -> CandidateDetails {
        try authorize(.read, project: project)
        return try await service.show(project, ref: ref)
    }

    public func diff(_ project: String, from: String, to: String) async throws -> CandidateDiff {
        try authorize(.read, project: project)
        return try await service.diff(project, from: from, to: to)
    }

    /// Fetches, verifies and atomically extracts a candidate's artifacts (read).
    public func fetch(_ project: String, ref: String, to target: String, artifact: String? = nil, replace: Bool = false,
                      limits: ExtractionLimits = ExtractionLimits(),
                      progress: ProgressHandler? = nil) async throws -> FetchResult {
        try authorize(.read, project: project)
        return try await service.fetch(project, ref: ref, to: target, artifact: artifact, replace: replace, limits: limits, progress: progress)
    }
}
