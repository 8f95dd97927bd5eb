import Foundation
import Testing
@testable import HangarCore

/// The role rules, written out independently of the implementation's table.
private let expected: [Role: Set<Authorization.Action>] = [
    .ci: [.read, .push, .cut],
    .deployer: [.read, .report],
    .releaser: [.read, .promote, .rollback, .approve],
    .auditor: [.read, .audit],
    .admin: [.read, .push, .cut, .promote, .rollback, .approve, .report, .audit, .admin],
]

private func token(_ role: Role, projects: [String] = [], environments: [String] = []) -> TokenRecord {
    TokenRecord(id: "abcdefghijkl", name: "tok-\(role.rawValue)", role: role, projects: projects, environments: environments,
                secretHash: String(repeating: "a", count: 64), createdAt: Date(timeIntervalSince1970: 0),
                createdBy: "admin", expiresAt: nil)
}

/// Whether `check` lets the action through; a thrown error must be `denied`.
private func permits(_ t: TokenRecord, _ action: Authorization.Action, project: String? = "acme/checkout",
                     environment: String? = "production") throws -> Bool {
    do {
        try Authorization.check(t, action, project: project, environment: environment)
        return true
    } catch let e as HangarError where e.kind == .denied {
        return false
    }
}

@Suite struct AuthorizationTests {
    @Test(arguments: Role.allCases, Authorization.Action.allCases)
    func everyRoleAndAction(_ role: Role, _ action: Authorization.Action) throws {
        let allowed = try #require(expected[role]).contains(action)
        #expect(try permits(token(role), action) == allowed, "\(role) \(action)")
        #expect(try permits(token(role), action, project: nil, environment: nil) == allowed, "\(role) \(action) outside a project")
    }

    @Test func aDenialNamesRoleActionProjectAndEnvironment() throws {
        let error = #expect(throws: HangarError.self) {
            try Authorization.check(token(.ci), .promote, project: "acme/checkout", environment: "production")
        }
        #expect(error?.kind == .denied)
        for part in ["tok-ci", "ci", "promote", "acme/checkout", "production"] {
            #expect(error?.message.contains(part) == true, "\(part) in: \(error?.message ?? "")")
        }
    }

    @Test(arguments: Role.allCases)
    func projectsLimitEveryActionOfEveryRole(_ role: Role) throws {
        let limited = token(role, projects: ["acme/checkout", "acme/search"])
        for action in try #require(expected[role]) {
            #expect(try permits(limited, action, project: "acme/checkout"), "\(role) \(action) in a listed project")
            #expect(try permits(limited, action, project: "acme/search"), "\(role) \(action) in the other listed project")
            #expect(try !permits(limited, action, project: "zeta/api"), "\(role) \(action) in an unlisted project")
            #expect(try !permits(limited, action, project: nil), "\(role) \(action) outside a project")
        }
        let error = #expect(throws: HangarError.self) {
            try Authorization.check(limited, .read, project: "zeta/api", environment: nil)
        }
        #expect(error?.message.contains("zeta/api") == true && error?.message.contains("acme/search") == true)
    }

    @Test func aReleaserMovesOnlyInItsEnvironments() throws {
        let staging = token(.releaser, environments: ["sandbox", "staging"])
        for action: Authorization.Action in [.promote, .rollback, .approve] {
            #expect(try permits(staging, action, environment: "staging"), "\(action) in staging")
            #expect(try permits(staging, action, environment: "sandbox"), "\(action) in sandbox")
            #expect(try !permits(staging, action, environment: "production"), "\(action) in production")
            #expect(try !permits(staging, action, environment: nil), "\(action) without an environment")
            #expect(try permits(token(.releaser), action, environment: "production"), "no environments listed: all")
        }
        #expect(try permits(staging, .read, environment: "production"), "reading is not limited by environment")
        let error = #expect(throws: HangarError.self) {
            try Authorization.check(staging, .promote, project: "acme/checkout", environment: "production")
        }
        #expect(error?.message.contains("production") == true && error?.message.contains("staging") == true)
    }
}
