/// Who may do what with a token: the role rules as one pure function, checked by every
/// front end before it acts for a caller.
///
/// - `ci`: read, push, cut. `deployer`: read, report. `auditor`: read, audit.
/// - `releaser`: read; promote, rollback and approve in its environments (all when it names none).
/// - `admin`: everything.
/// - A token naming projects may act only on those projects, so never outside a project.
public enum Authorization {
    /// What a caller asks to do.
    public enum Action: String, Sendable, CaseIterable, CustomStringConvertible {
        case read, push, cut, promote, rollback, approve, report, audit, admin
        public var description: String { rawValue }
    }

    /// Actions that a releaser's environments limit.
    static let environmentScoped: Set<Action> = [.promote, .rollback, .approve]

    /// What each role may do, wherever its projects and environments allow.
    static func actions(of role: Role) -> Set<Action> {
        switch role {
        case .ci: [.read, .push, .cut]
        case .deployer: [.read, .report]
        case .releaser: [.read, .promote, .rollback, .approve]
        case .auditor: [.read, .audit]
        case .admin: Set(Action.allCases)
        }
    }

    /// Returns if `token` may do `action` on `project` (in `environment`); throws `denied`
    /// naming the token, its role, the action, the project and environment, and the rule.
    public static func check(_ token: TokenRecord, _ action: Action, project: String?, environment: String?) throws {
        func deny(_ rule: String) -> HangarError {
            var place = project.map { " in project \($0)" } ?? " outside a project"
            if let environment { place += ", environment \(environment)" }
            return HangarError(.denied, "token \(token.name) (role \(token.role.rawValue)) may not \(action)\(place): \(rule)")
        }
        let allowed = actions(of: token.role)
        guard allowed.contains(action) else {
            let list = Action.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
            throw deny("a \(token.role.rawValue) token may only \(list)")
        }
        if !token.projects.isEmpty {
            guard let project, token.projects.contains(project) else {
                throw deny("the token is limited to projects \(token.projects.joined(separator: ", "))")
            }
        }
        if token.role == .releaser, environmentScoped.contains(action), !token.environments.isEmpty {
            guard let environment, token.environments.contains(environment) else {
                throw deny("the token may \(action) only in environments \(token.environments.joined(separator: ", "))")
            }
        }
    }
}
