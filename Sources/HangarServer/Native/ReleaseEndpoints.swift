import Foundation
import HangarCore
import Hummingbird

/// Candidates (cut, cherry-pick, show, diff), pointer moves (promote, rollback),
/// approvals and deploy agents' reports.
struct ReleaseEndpoints: Sendable {
    let state: ServerState

    /// `POST …/candidates` or `…/cherry-picks` (ci): 201 `CutResult`. The artifacts'
    /// blobs must already be in the project (uploaded over `/v2/`, or in its candidates).
    func cut(_ request: Request, _ context: HangarRequestContext, _ project: String, cherryPick: Bool) async throws -> Response {
        try await state.require(.cut, request, context, project: project)
        let cut = try await NativeBody.cutRequest(request, context, project: project)
        for artifact in cut.artifacts {
            if try await state.repositories.blobVisible(artifact.digest, in: project) { continue }
            throw HangarError.notFound("artifact '\(artifact.name)' names blob \(artifact.digest), which is not in \(project): upload it to /v2/\(project)/blobs/uploads/ first")
        }
        let actor = context.caller.name
        let result = cherryPick ? try await state.service.cherryPick(cut, actor: actor) : try await state.service.cut(cut, actor: actor)
        for d in result.autoDeployed { state.metrics.pointerMoved(kind: d.kind.rawValue, environment: d.environment) }
        return try Responses.json(result, status: .created)
    }

    func show(_ request: Request, _ context: HangarRequestContext, _ project: String, _ ref: String) async throws -> Response {
        try await state.require(.read, request, context, project: project)
        return try Responses.json(try await state.service.show(project, ref: ref))
    }

    /// `GET …/diff?from=&to=`.
    func diff(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        try await state.require(.read, request, context, project: project)
        let q = request.uri.queryParameters
        guard let from = q["from"].map(String.init), let to = q["to"].map(String.init) else {
            throw HangarError.invalid("diff needs ?from=<ref>&to=<ref>")
        }
        return try Responses.json(try await state.service.diff(project, from: from, to: to))
    }

    /// `POST …/environments/{env}/promote` (releaser of env): `MoveOutcome`.
    func promote(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        try await state.require(.promote, request, context, project: project, environment: environment)
        let body = try await NativeBody.decode(PromoteBody.self, request, context)
        let options = MoveOptions(force: body.force ?? false, reason: body.reason, expectedGeneration: body.expectedGeneration)
        let outcome = try await state.service.promote(project, ref: body.ref, to: environment, options: options,
                                                      kind: .promote, actor: context.caller.name)
        if outcome.deployment != nil { state.metrics.pointerMoved(kind: "promote", environment: environment) }
        return try Responses.json(outcome)
    }

    /// `POST …/environments/{env}/rollback` (releaser of env): `MoveOutcome`.
    func rollback(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        try await state.require(.rollback, request, context, project: project, environment: environment)
        let body = try await NativeBody.decode(RollbackBody.self, request, context)
        let options = MoveOptions(force: body.force ?? false, reason: body.reason, expectedGeneration: body.expectedGeneration)
        let outcome = try await state.service.rollback(project, environment: environment, to: body.to, options: options,
                                                       actor: context.caller.name)
        if outcome.deployment != nil { state.metrics.pointerMoved(kind: "rollback", environment: environment) }
        return try Responses.json(outcome)
    }

    /// `POST …/environments/{env}/approvals` (releaser of env): `ApprovalRecord`.
    func approve(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        try await state.require(.approve, request, context, project: project, environment: environment)
        let body = try await NativeBody.decode(ApprovalBody.self, request, context)
        let approval = try await state.service.approve(project, ref: body.ref, environment: environment, comment: body.comment,
                                                       actor: context.caller.name)
        return try Responses.json(approval)
    }

    /// `POST …/deployments/{id}/reports` (deployer): `DeploymentReport`.
    func report(_ request: Request, _ context: HangarRequestContext, _ project: String, _ id: String) async throws -> Response {
        try await state.require(.report, request, context, project: project)
        guard let deploymentID = Int64(id) else { throw HangarError.invalid("deployment id '\(id)' is not a number") }
        let body = try await NativeBody.decode(ReportBody.self, request, context)
        _ = try await state.repositories.require(project)
        guard let move = try await state.service.deployment(project, id: deploymentID) else {
            throw HangarError.notFound("project \(project) has no deployment \(deploymentID)")
        }
        let report = try await state.service.reportDeployment(project: project, environment: move.environment, deploymentID: deploymentID,
                                                              status: body.status, message: body.message, agent: context.caller.name)
        return try Responses.json(report)
    }
}
