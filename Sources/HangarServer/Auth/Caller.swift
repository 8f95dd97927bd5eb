import Foundation
import HangarCore

/// Who is making a request: the token it presented, or nobody. With `--anonymous-read`
/// nobody reads as a `deployer` of every project (through a token record of that role
/// that exists only in memory); without it nobody may do anything. The name recorded
/// for every change is the token's name; a secret is never kept or logged.
public struct Caller: Sendable, Hashable {
    /// The token the caller acts with: the one presented, or the anonymous reader's.
    public var token: TokenRecord?
    /// True when no credentials were presented.
    public var isAnonymous: Bool

    /// A caller that presented `token`.
    public static func authenticated(_ token: TokenRecord) -> Caller {
        Caller(token: token, isAnonymous: false)
    }

    /// A caller without credentials; a reader of everything when `readAccess`.
    public static func anonymous(readAccess: Bool) -> Caller {
        Caller(token: readAccess ? anonymousReader : nil, isAnonymous: true)
    }

    /// The name written in the audit log and logs: the token's name, or `anonymous`.
    public var name: String { isAnonymous ? "anonymous" : token?.name ?? "anonymous" }

    /// The in-memory grant of anonymous readers.
    static let anonymousReader = TokenRecord(
        id: "anonymous", name: "anonymous", role: .deployer, projects: [], environments: [], secretHash: "",
        createdAt: Date(timeIntervalSince1970: 0), createdBy: "hangar serve --anonymous-read", expiresAt: nil)
}
