import Foundation
import HangarCore
import Hummingbird

/// Candidates (cut, cherry-pick, show, diff), pointer moves (promote, rollback),
/// approvals and deploy agents' reports. The core checks the caller's rights.
struct ReleaseEndpoints: Sendable {
    let state: ServerState

    /// `POST …/candidates` or `…/cherry-picks` (ci): 201 `CutResult`. The artifacts'
    /// blobs must already be in the project (uploaded over `/v2/`, or in its candidates).
    func cut(_ request: Request, _ context: HangarRequestContext, _ project: String, cherryPick: Bool) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.cut, project: project)
        let cut = try await NativeBody.cutRequest(request, context, project: project)
        let result = cherryPick ? try await ops.cherryPick(cut) : try await ops.cut(cut)
        for d in result.autoDeployed { state.metrics.pointerMoved(kind: d.kind.rawValue, environment: d.environment) }
        return try Responses.json(result, status: .created)
    }

    func show(_ request: Request, _ context: HangarRequestContext, _ project: String, _ ref: String) async throws -> Response {
        try Responses.json(try await state.operations(context).show(project, ref: ref))
    }

    /// `GET …/diff?from=&to=`.
    func diff(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.read, project: project)
        let q = request.uri.queryParameters
        guard let from = q["from"].map(String.init), let to = q["to"].map(String.init) else {
            throw HangarError.invalid("diff needs ?from=<ref>&to=<ref>")
        }
        return try Responses.json(try await ops.diff(project, from: from, to: to))
    }

    /// `POST …/environments/{env}/promote` (releaser of env): `MoveOutcome`.
    func promote(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.promote, project: project, environment: environment)
        let body = try await NativeBody.decode(PromoteBody.self, request, context)
        let options = MoveOptions(force: body.force ?? false, reason: body.reason, expectedGeneration: body.expectedGeneration)
        let outcome = try await ops.promote(project, ref: body.ref, to: environment, options: options)
        if outcome.deployment != nil { state.metrics.pointerMoved(kind: "promote", environment: environment) }
        return try Responses.json(outcome)
    }

    /// `POST …/environments/{env}/rollback` (releaser of env): `MoveOutcome`.
    func rollback(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.rollback, project: project, environment: environment)
        let body = try await NativeBody.decode(RollbackBody.self, request, context)
        let options = MoveOptions(force: body.force ?? false, reason: body.reason, expectedGeneration: body.expectedGeneration)
        let outcome = try await ops.rollback(project, environment: environment, to: body.to, options: options)
        if outcome.deployment != nil { state.metrics.pointerMoved(kind: "rollback", environment: environment) }
        return try Responses.json(outcome)
    }

    /// `POST …/environments/{env}/approvals` (releaser of env): `ApprovalRecord`.
    func approve(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.approve, project: project, environment: environment)
        let body = try await NativeBody.decode(ApprovalBody.self, request, context)
        return try Responses.json(try await ops.approve(project, ref: body.ref, environment: environment, comment: body.comment))
    }

    /// `POST …/deployments/{id}/reports` (deployer): `DeploymentReport`.
    func report(_ request: Request, _ context: HangarRequestContext, _ project: String, _ id: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.report, project: project)
        guard let deploymentID = Int64(id) else { throw HangarError.invalid("deployment id '\(id.prefix(40))' is not a number") }
        let body = try await NativeBody.decode(ReportBody.self, request, context)
        return try Responses.json(try await ops.report(project, deploymentID: deploymentID, status: body.status, message: body.message))
    }
}
