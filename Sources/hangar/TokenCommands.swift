import ArgumentParser
import Foundation
import HangarCore

/// `hangar token create|ls|revoke` on the local store: how an operator issues the first
/// admin token before any server is reachable.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Issue, list and revoke API tokens (admin; on the store or its server).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token and print its secret (shown this once) on stdout.",
            discussion: "Roles: ci (push, cut), deployer (read, report), releaser (promote, roll back, approve; per --env), auditor (audit log), admin (everything).")
        @Option(help: "Token name, recorded as the actor of its changes (e.g. ci-checkout).") var name: String
        @Option(help: "Role: ci, deployer, releaser, auditor or admin.") var role: String
        @Option(name: .customLong("project"), help: "A project it is limited to (repeat; default: every project).")
        var projects: [String] = []
        @Option(name: .customLong("env"), help: "For releasers: an environment it may move (repeat; default: all).")
        var environments: [String] = []
        @Option(help: "Expiry: a duration from now (30d, 12h) or an ISO 8601 time.") var expires: String?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw HangarError.invalid("role '\(role)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let expiresAt = try expires.map { try TokenExpiry.parse($0, now: Date()) }
            let issued = try await store.client().createToken(
                TokenRequest(name: name, role: role, projects: projects, environments: environments, expiresAt: expiresAt))
            if output.json { return try Terminal.json(issued) }
            let t = issued.token
            Terminal.error("issued token \(t.name) (id \(t.id)), role \(t.role.rawValue); store the secret now, it is not shown again:")
            print(issued.secret)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List tokens (never their secrets).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let tokens = try await store.client().tokens()
            if output.json { return try Terminal.json(tokens) }
            Terminal.table(["ID", "NAME", "ROLE", "PROJECTS", "ENVIRONMENTS", "EXPIRES", "STATE"], tokens.map {
                [$0.id, $0.name, $0.role.rawValue, $0.projects.isEmpty ? "*" : $0.projects.joined(separator: ","),
                 $0.environments.isEmpty ? "*" : $0.environments.joined(separator: ","),
                 $0.expiresAt?.display ?? "never", $0.revokedAt.map { "revoked \($0.display)" } ?? "active"]
            })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token from now on.")
        @Argument(help: "The token id (see 'hangar token ls').") var id: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let token = try await store.client().revokeToken(id: id)
            if output.json { return try Terminal.json(token) }
            print("revoked token \(token.name) (\(token.id))")
        }
    }
}

/// `--expires`: a duration from now (`30d`) or an ISO 8601 time.
enum TokenExpiry {
    static func parse(_ text: String, now: Date) throws -> Date {
        // A time has a date in it (`2027-01-01…`); anything else is read as a span from now.
        if text.contains("-") || text.contains(":") { return try Timestamp.parse(text) }
        return now.addingTimeInterval(Double(try TimeSpan.parse(text, what: "--expires").seconds))
    }
}
