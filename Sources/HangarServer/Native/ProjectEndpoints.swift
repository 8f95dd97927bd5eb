import Foundation
import HangarCore
import Hummingbird

/// Projects, their settings and policies, and what their environments run.
struct ProjectEndpoints: Sendable {
    let state: ServerState

    /// `GET /api/v1/projects`: the projects the caller may read.
    func list(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        try Responses.json(try await state.operations(context).projects())
    }

    /// `POST /api/v1/projects` (admin): 201 with the project and its environments.
    func create(_ request: Request, _ context: HangarRequestContext) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.admin, project: nil)
        let body = try await NativeBody.decode(CreateProjectBody.self, request, context)
        let info = try await ops.createProject(body.name, environments: body.environments ?? HangarService.defaultEnvironments,
                                               singleStep: body.singleStep ?? false)
        return try Responses.json(info, status: .created)
    }

    func info(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        try Responses.json(try await state.operations(context).projectInfo(project))
    }

    /// `PATCH …/settings` (admin): `{"singleStep": bool}`.
    func settings(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.admin, project: project)
        let body = try await NativeBody.decode(SettingsBody.self, request, context)
        return try Responses.json(try await ops.setSingleStep(project, body.singleStep))
    }

    /// `PUT …/environments/{env}/policy` (admin): an `EnvironmentPolicy`.
    func policy(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.admin, project: project)
        let policy = try await NativeBody.decode(EnvironmentPolicy.self, request, context)
        return try Responses.json(try await ops.setPolicy(project, environment: environment, policy: policy))
    }

    /// `PUT …/retention` (admin): `RetentionRules`.
    func retention(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.admin, project: project)
        let rules = try await NativeBody.decode(RetentionRules.self, request, context)
        return try Responses.json(try await ops.setRetentionRules(project, rules))
    }

    func status(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        try Responses.json(try await state.operations(context).status(project))
    }

    /// `GET …/history?env=&at=&limit=`.
    func history(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.read, project: project)
        let q = request.uri.queryParameters
        let at = try q["at"].map { try Timestamp.parse(String($0)) }
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") }
        return try Responses.json(try await ops.history(project, environment: q["env"].map(String.init), at: at, limit: limit))
    }

    /// `GET …/environments/{env}/watch?generation=N&timeout=S`: answers when the
    /// environment's generation is no longer N, or after S seconds (at most 60). A waiting
    /// watcher sleeps until this server moves a pointer or records a report in the project;
    /// it also looks again every few seconds, for changes made by another process on the
    /// same store. At most `max-watchers` wait at once (503 past it).
    func watch(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.read, project: project)
        let q = request.uri.queryParameters
        let known = try q["generation"].map { text -> Int64 in
            guard let n = Int64(text) else { throw HangarError.invalid("generation='\(text.prefix(40))' is not a number") }
            return n
        }
        let timeout = try q["timeout"].map { try Query.positive(String($0), "timeout") } ?? 30
        let deadline = ContinuousClock.now + .seconds(min(timeout, 60))
        guard let known else { return try Responses.json(try await environmentStatus(ops, project, environment)) }
        return try await state.watchers.run(retryAfter: 5) {
            while try await ops.environment(project, environment).generation == known, ContinuousClock.now < deadline {
                let left = deadline - ContinuousClock.now
                await state.service.changes.wait(project: project, timeout: min(left, Self.crossProcessRecheck))
            }
            return try Responses.json(try await environmentStatus(ops, project, environment))
        }
    }

    /// How often a waiting watcher looks for changes another process made.
    static let crossProcessRecheck = Duration.seconds(5)

    private func environmentStatus(_ ops: Operations, _ project: String, _ environment: String) async throws -> EnvironmentStatus {
        guard let s = try await ops.status(project).first(where: { $0.environment == environment }) else {
            throw HangarError.notFound("project \(project) has no environment '\(environment)'")
        }
        return s
    }
}

/// Query parameter parsing with errors that name the parameter.
enum Query {
    static func positive(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text), n > 0 else { throw HangarError.invalid("\(name)='\(text)' is not a positive number") }
        return n
    }
}
