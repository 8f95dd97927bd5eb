import Foundation
import HangarCore

private typealias F = MetadataFixtures

extension MetadataStoreConformance {
    static let tokenCases: [Case] = [
        Case("tokens are stored with an audit entry, read back by id and listed by creation time") { h in
            let store = try await h.makeStore()
            let tokens = [
                F.token("zzzzzzzzzzz1", name: "ci-checkout", role: .ci, at: F.at(1), projects: ["acme/checkout"]),
                F.token("aaaaaaaaaaa2", name: "release-prod", role: .releaser, at: F.at(2),
                        projects: ["acme/checkout", "zeta/api"], environments: ["staging", "production"]),
                F.token("mmmmmmmmmmm3", name: "agent", role: .deployer, at: F.at(3), expiresAt: F.at(3600)),
            ]
            for t in tokens {
                try await store.insertToken(t, audit: F.draft(.tokenIssued, project: nil, subject: t.id, at: t.createdAt))
            }
            for t in tokens {
                try require(try await store.token(id: t.id) == t, "\(t.name) read back exactly")
            }
            try require(try await store.tokens() == tokens, "listed by creation time, not by id")
            try require(try await store.token(id: "nonexistent00") == nil, "an absent id is nil")
            try await F.requireAudit(store, count: 3, endingWith: [.tokenIssued, .tokenIssued, .tokenIssued])
            try require(try await F.auditLog(store).map(\.subject) == tokens.map(\.id), "entries name the tokens")
        },
        Case("a taken token id or name is a conflict naming it, and nothing is stored or audited") { h in
            let store = try await h.makeStore()
            let first = F.token("abcdefghijk1", name: "ci-checkout")
            try await store.insertToken(first, audit: F.draft(.tokenIssued, subject: first.id))
            let sameID = F.token("abcdefghijk1", name: "other-name", at: F.at(5))
            let e1 = try await requireThrows(.conflict, "same id") {
                try await store.insertToken(sameID, audit: F.draft(.tokenIssued, subject: sameID.id))
            }
            try require(e1.message.contains("abcdefghijk1"), "names the id: \(e1.message)")
            let sameName = F.token("zyxwvutsrqp2", name: "ci-checkout", at: F.at(6))
            let e2 = try await requireThrows(.conflict, "same name") {
                try await store.insertToken(sameName, audit: F.draft(.tokenIssued, subject: sameName.id))
            }
            try require(e2.message.contains("ci-checkout"), "names the name: \(e2.message)")
            try require(try await store.tokens() == [first], "only the first token")
            try require(try await store.token(id: "zyxwvutsrqp2") == nil, "the refused token is absent")
            try await F.requireAudit(store, count: 1, endingWith: [.tokenIssued])
        },
        Case("a revoked token's name can be issued again, once: the rotated token acts under the same name") { h in
            let store = try await h.makeStore()
            let old = F.token("rotateold001", name: "ci-checkout")
            try await store.insertToken(old, audit: F.draft(.tokenIssued, subject: old.id))
            try await store.revokeToken(id: old.id, at: F.at(10), audit: F.draft(.tokenRevoked, subject: old.id))
            let new = F.token("rotatenew002", name: "ci-checkout", at: F.at(11))
            try await store.insertToken(new, audit: F.draft(.tokenIssued, subject: new.id))
            try require(try await store.token(id: new.id) == new, "the new token is stored under the old name")
            let third = F.token("rotateone003", name: "ci-checkout", at: F.at(12))
            let e = try await requireThrows(.conflict, "a second active token with the name") {
                try await store.insertToken(third, audit: F.draft(.tokenIssued, subject: third.id))
            }
            try require(e.message.contains("rotatenew002") && e.message.contains("revoke it first"), "names the active token: \(e.message)")
            try require(try await store.tokens().map(\.id) == [old.id, new.id], "both kept, the refused one absent")
        },
        Case("revoking keeps the token with its first revocation time; an unknown token is not found") { h in
            let store = try await h.makeStore()
            let token = F.token("revokeme0001", name: "old-ci")
            let other = F.token("keepme000002", name: "new-ci", at: F.at(1))
            for t in [token, other] { try await store.insertToken(t, audit: F.draft(.tokenIssued, subject: t.id)) }
            try await store.revokeToken(id: token.id, at: F.at(10), audit: F.draft(.tokenRevoked, subject: token.id))
            var revoked = token
            revoked.revokedAt = F.at(10)
            try require(try await store.token(id: token.id) == revoked, "revokedAt set, the rest unchanged")
            try require(try await store.token(id: other.id) == other, "the other token untouched")
            try await store.revokeToken(id: token.id, at: F.at(20), audit: F.draft(.tokenRevoked, subject: token.id))
            try require(try await store.token(id: token.id)?.revokedAt == F.at(10), "a second revocation keeps the first time")
            try require(try await store.tokens() == [revoked, other], "revoked tokens are still listed")
            let e = try await requireThrows(.notFound, "revoking an unknown token") {
                try await store.revokeToken(id: "nosuchtoken0", at: F.at(30), audit: F.draft(.tokenRevoked, subject: "nosuchtoken0"))
            }
            try require(e.message.contains("nosuchtoken0"), "names the id: \(e.message)")
            try await F.requireAudit(store, count: 4, endingWith: [.tokenIssued, .tokenIssued, .tokenRevoked, .tokenRevoked])
        },
        Case("a token name with a NUL character is refused, not cut short") { h in
            let store = try await h.makeStore()
            let token = F.token("nulnulnulnul", name: "ci\u{0}admin")
            try await requireThrows(.invalidInput, "token name with NUL") {
                try await store.insertToken(token, audit: F.draft(.tokenIssued, subject: token.id))
            }
            try require(try await store.tokens().isEmpty, "nothing stored")
            try require(try await F.auditLog(store).isEmpty, "nothing audited")
        },
    ]
}
