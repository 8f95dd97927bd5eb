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

    /// `GET …/candidates?version=&limit=` (read): newest first, 100 unless told.
    func candidates(_ request: Request, _ context: HangarRequestContext, _ project: String) async throws -> Response {
        let q = request.uri.queryParameters
        let limit = try q["limit"].map { try Query.positive(String($0), "limit") } ?? 100
        return try Responses.json(try await state.operations(context).candidates(project, version: q["version"].map(String.init), limit: limit))
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

    /// `GET …/environments/{env}/watch?generation=N[&report=F]&timeout=S`: answers when the
    /// environment's generation is no longer N (or its newest report's fingerprint no
    /// longer F, `none` before any), or after S seconds (at most 60); without `generation`,
    /// at once (`Operations.watch`). At most `max-watchers` wait at once (503 past it).
    func watch(_ request: Request, _ context: HangarRequestContext, _ project: String, _ environment: String) async throws -> Response {
        let ops = state.operations(context)
        try ops.authorize(.read, project: project)
        let q = request.uri.queryParameters
        let known = try q["generation"].map { text -> Int64 in
            guard let n = Int64(text) else { throw HangarError.invalid("generation='\(text.prefix(40))' is not a number") }
            return n
        }
        let timeout = try q["timeout"].map { try Query.positive(String($0), "timeout") } ?? 30
        guard let known else { return try Responses.json(try await ops.watch(project, environment: environment, generation: -1, report: nil, timeout: 0)) }
        return try await state.watchers.run(retryAfter: 5) {
            try Responses.json(try await ops.watch(project, environment: environment, generation: known,
                                                   report: q["report"].map(String.init), timeout: timeout))
        }
    }
}

/// Query parameter parsing with errors that name the parameter.
enum Query {
    static func positive(_ text: String, _ name: String) throws -> Int {
        guard let n = Int(text), n > 0 else { throw HangarError.invalid("\(name)='\(text)' is not a positive number") }
        return n
    }
}
