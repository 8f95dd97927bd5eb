import Foundation

/// Who asks the core to do something, and on what grant. Every operation of `Operations`
/// and `Registry` takes one and checks `Authorization` itself, so the CLI, the OCI API,
/// the native API and the board are refused the same way; no front end can forget.
///
/// - `local`: the CLI on its own store (whoever can open the store's files already holds
///   everything in it): every action, recorded under the OS user's name.
/// - `authenticated`: a caller that presented a token; its role, projects and
///   environments decide.
/// - `anonymous`: nobody. With `--anonymous-read` nobody reads as a `deployer` of every
///   project (a token record of that role that exists only in memory), and may do nothing
///   else; without it nobody may do anything.
public struct Principal: Sendable, Hashable {
    public enum Grant: Sendable, Hashable {
        case local
        case token(TokenRecord)
        case nothing
    }

    /// The name written in the audit log and logs.
    public let name: String
    public let grant: Grant
    /// True when no credentials were presented.
    public let isAnonymous: Bool

    /// The CLI acting on its own store as `name`.
    public static func local(_ name: String) -> Principal {
        Principal(name: name, grant: .local, isAnonymous: false)
    }

    /// A caller that presented `token`.
    public static func authenticated(_ token: TokenRecord) -> Principal {
        Principal(name: token.name, grant: .token(token), isAnonymous: false)
    }

    /// A caller without credentials; a reader of everything when `readAccess`.
    public static func anonymous(readAccess: Bool) -> Principal {
        Principal(name: "anonymous", grant: readAccess ? .token(anonymousReader) : .nothing, isAnonymous: true)
    }

    /// The token the principal acts with (the anonymous reader's in-memory one included).
    public var token: TokenRecord? {
        if case .token(let t) = grant { return t }
        return nil
    }

    /// The presented token's id (nil for local and anonymous principals), for the security log.
    public var tokenID: String? { isAnonymous ? nil : token?.id }

    /// Returns when the principal may do `action` on `project` (in `environment`); throws
    /// `unauthorized` when it should prove who it is, `denied` naming the rule otherwise.
    public func authorize(_ action: Authorization.Action, project: String?, environment: String? = nil) throws {
        switch grant {
        case .local:
            return
        case .nothing:
            throw Self.loginRequired(action)
        case .token(let token):
            do {
                try Authorization.check(token, action, project: project, environment: environment)
            } catch let e as HangarError where e.kind == .denied && isAnonymous {
                throw Self.loginRequired(action)
            }
        }
    }

    /// Whether `authorize` would return (for listings filtered to what the caller may see).
    public func may(_ action: Authorization.Action, project: String?, environment: String? = nil) -> Bool {
        (try? authorize(action, project: project, environment: environment)) != nil
    }

    /// The refusal for a caller without credentials.
    public static func loginRequired(_ action: Authorization.Action) -> HangarError {
        HangarError(.unauthorized, "authentication required to \(action): present a Hangar token "
            + "(Authorization: Bearer hgr_…, or Basic with the token as the password)")
    }

    /// The in-memory grant of anonymous readers.
    static let anonymousReader = TokenRecord(
        id: "anonymous", name: "anonymous", role: .deployer, projects: [], environments: [], secretHash: "",
        createdAt: Date(timeIntervalSince1970: 0), createdBy: "hangar serve --anonymous-read", expiresAt: nil)
}
