import Foundation

/// The core's operations as one caller may use them: every front end (the CLI on its own
/// store, the native API, the OCI API, the board) reaches the service only through this,
/// and each operation checks `Authorization` for its principal before it acts and records
/// changes under the principal's name. The service's own operations are internal to the
/// core, so a front end cannot call one without the check.
public struct Operations: Sendable {
    public let service: HangarService
    public let principal: Principal

    public init(service: HangarService, principal: Principal) {
        self.service = service
        self.principal = principal
    }

    /// Throws unless the principal may do `action` on `project` (in `environment`).
    public func authorize(_ action: Authorization.Action, project: String?, environment: String? = nil) throws {
        try principal.authorize(action, project: project, environment: environment)
    }

    var actor: String { principal.name }
}

extension HangarService {
    /// The operations `principal` may use.
    public func acting(as principal: Principal) -> Operations {
        Operations(service: self, principal: principal)
    }
}

// MARK: Projects

extension Operations {
    /// Creates a project (admin).
    public func createProject(_ name: String, environments: [String] = HangarService.defaultEnvironments,
                              singleStep: Bool = false) async throws -> ProjectInfo {
        try authorize(.admin, project: name)
        return try await service.createProject(name, environments: environments, singleStep: singleStep, actor: actor)
    }

    /// Turns single-step delivery on or off (admin).
    public func setSingleStep(_ name: String, _ on: Bool) async throws -> ProjectInfo {
        try authorize(.admin, project: name)
        return try await service.setSingleStep(name, on, actor: actor)
    }

    /// Replaces an environment's policy (admin).
    public func setPolicy(_ project: String, environment: String, policy: EnvironmentPolicy) async throws -> ProjectInfo {
        try authorize(.admin, project: project)
        return try await service.setPolicy(project, environment: environment, policy: policy, actor: actor)
    }

    public func projectInfo(_ name: String) async throws -> ProjectInfo {
        try authorize(.read, project: name)
        return try await service.projectInfo(name)
    }

    /// The projects the principal may read (a caller without any grant is asked to log in).
    public func projects() async throws -> [ProjectRecord] {
        if principal.grant == .nothing { throw Principal.loginRequired(.read) }
        return try await service.projects().filter { principal.may(.read, project: $0.name) }
    }
}

// MARK: Tokens

extension Operations {
    /// Every token, without secrets (admin).
    public func tokens() async throws -> [TokenView] {
        try authorize(.admin, project: nil)
        return try await service.tokens().map(TokenView.init)
    }

    /// Issues a token (admin); the secret is returned once.
    public func createToken(_ request: TokenRequest) async throws -> IssuedToken {
        try authorize(.admin, project: nil)
        let (record, secret) = try await service.createToken(
            name: request.name, role: request.role, projects: request.projects ?? [], environments: request.environments ?? [],
            expiresAt: request.expiresAt, actor: actor)
        return IssuedToken(token: TokenView(record), secret: secret)
    }

    /// Revokes a token (admin).
    public func revokeToken(id: String) async throws -> TokenView {
        try authorize(.admin, project: nil)
        return TokenView(try await service.revokeToken(id: id, actor: actor))
    }

    /// The principal's own token: any caller who presented one.
    public func whoami() throws -> TokenRecord {
        guard let token = principal.token, !principal.isAnonymous else { throw Principal.loginRequired(.read) }
        return token
    }
}
