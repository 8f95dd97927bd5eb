import Foundation

/// What an admin asks for when issuing a token (`POST /api/v1/tokens`, `hangar token create`).
public struct TokenRequest: Codable, Sendable {
    public var name: String
    public var role: Role
    public var projects: [String]?
    public var environments: [String]?
    public var expiresAt: Date?

    public init(name: String, role: Role, projects: [String] = [], environments: [String] = [], expiresAt: Date? = nil) {
        (self.name, self.role, self.projects, self.environments, self.expiresAt) = (name, role, projects, environments, expiresAt)
    }
}

/// A token as callers see it: everything but the secret's hash.
public struct TokenView: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: Role
    public var projects: [String]
    public var environments: [String]
    public var createdAt: Date
    public var createdBy: String
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(_ t: TokenRecord) {
        (id, name, role, projects, environments) = (t.id, t.name, t.role, t.projects, t.environments)
        (createdAt, createdBy, expiresAt, revokedAt) = (t.createdAt, t.createdBy, t.expiresAt, t.revokedAt)
    }
}

/// A newly issued token: the record and the secret, shown this once.
public struct IssuedToken: Codable, Sendable {
    public var token: TokenView
    public var secret: String

    public init(token: TokenView, secret: String) {
        self.token = token
        self.secret = secret
    }
}

/// An inclusion proof with the audit entry it proves.
public struct InclusionAnswer: Codable, Sendable {
    public var proof: InclusionProof
    public var entry: AuditEntry

    public init(proof: InclusionProof, entry: AuditEntry) {
        self.proof = proof
        self.entry = entry
    }
}
