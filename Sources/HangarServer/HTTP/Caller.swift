import HangarCore

/// Who is making a request: the token it presented, or nobody (anonymous). The actor
/// recorded for every change is the token's name; never the secret.
public struct Caller: Sendable, Hashable {
    /// The token the request was authenticated with; nil when anonymous.
    public var token: TokenRecord?

    public static let anonymous = Caller(token: nil)

    /// The name written in the audit log and logs: the token's name, or `anonymous`.
    public var name: String { token?.name ?? "anonymous" }

    public var isAnonymous: Bool { token == nil }
}
