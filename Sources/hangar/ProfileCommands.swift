import ArgumentParser
import Foundation
import HangarCore
import HangarRemote

#if canImport(Glibc)
import Glibc
#endif

/// `hangar login SERVER`: checks a token against a server and keeps both in a profile.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save a server and its token as a profile (checked first) and make it current.",
        discussion: """
            The token comes from --token, else $HANGAR_TOKEN, else standard input (asked for \
            without echo on a terminal). Profiles live in $HANGAR_PROFILES, else \
            ~/.config/hangar/profiles.yaml (mode 0600).
            """)
    @Argument(help: "The hangar serve, e.g. https://hangar.example.com.") var server: String
    @Option(help: "Name of the profile (default: default).") var profile: String = "default"
    @Option(help: "API token (prefer standard input: a command line is visible to other users).") var token: String?
    @Option(help: "Default project for commands run with this profile, e.g. acme/checkout.") var project: String?

    func run() async throws {
        try ProfileFile.checkName(profile)
        if let project { try Names.checkProject(project) }
        let secret = try token.flatMap(nonBlank) ?? ProcessInfo.processInfo.environment["HANGAR_TOKEN"].flatMap(nonBlank)
            ?? readToken()
        let client = RemoteClient(endpoint: try ServerEndpoint(url: server, token: secret))
        let me = try await client.whoami()
        if let project { _ = try await client.projectInfo(project) }
        try ProfileFile.update {
            $0.profiles[profile] = .init(server: server, token: secret, project: project)
            $0.current = profile
        }
        print("logged in to \(server) as \(me.name) (\(me.role.rawValue)); profile '\(profile)' is current")
    }

    /// One line from standard input, without echo when it is a terminal.
    private func readToken() throws -> String {
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            FileHandle.standardError.write(Data("token for \(server): ".utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        guard let line = readLine(strippingNewline: true), let secret = nonBlank(line) else {
            throw HangarError.invalid("no token given: pass it on standard input, in $HANGAR_TOKEN or with --token")
        }
        return secret
    }
}

/// `hangar logout`: forgets a profile's token (the profile stays, without one).
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the token of a profile (default: the current one).")
    @Option(help: "The profile (default: the current one).") var profile: String?

    func run() throws {
        var file = try ProfileFile.load()
        guard let name = profile ?? file.current else { throw HangarError.notFound("no current profile: name one with --profile") }
        var entry = try file.profile(name)
        guard entry.token != nil else { return print("profile '\(name)' has no token saved") }
        entry.token = nil
        file.profiles[name] = entry
        try file.save()
        print("forgot the token of profile '\(name)'")
    }
}

/// `hangar profile ls|use|set|rm`.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile", abstract: "Named profiles: a server or a store folder, and a default project.",
        subcommands: [List.self, Use.self, Change.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "The profiles; * marks the current one. Tokens are not shown.")
        @OptionGroup var output: OutputOptions

        func run() throws {
            let file = try ProfileFile.load()
            if output.json { return try Terminal.json(file.profiles.keys.sorted().map { file.shown($0) }) }
            if file.profiles.isEmpty { return print("no profiles in \(ProfileFile.path) (make one with 'hangar login')") }
            Terminal.table(["", "PROFILE", "WHERE", "PROJECT", "TOKEN"], file.profiles.keys.sorted().map { name in
                let p = file.profiles[name]!
                return [name == file.current ? "*" : "", name, p.server ?? "store " + (p.store ?? ".hangar"), p.project ?? "-",
                        p.server == nil ? "-" : (p.token == nil ? "none (hangar login)" : "saved")]
            })
        }
    }

    struct Use: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "use", abstract: "Make a profile the current one.")
        @Argument var name: String

        func run() throws {
            try ProfileFile.update {
                _ = try $0.profile(name)
                $0.current = name
            }
            print("profile '\(name)' is current")
        }
    }

    struct Change: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Make or change a profile: a store folder, or a server (hangar login also checks its token); a default project.")
        @Argument var name: String
        @Option(help: "A hangar serve (its token: hangar login).") var server: String?
        @Option(help: "A local store folder.") var store: String?
        @Option(help: "Default project; an empty value removes it.") var project: String?

        func run() throws {
            try ProfileFile.checkName(name)
            if server != nil && store != nil { throw HangarError.invalid("a profile names a server or a store folder, not both") }
            if let project, !project.isEmpty { try Names.checkProject(project) }
            if let server { _ = try ServerEndpoint(url: server, token: nil) }
            var file = try ProfileFile.load()
            var entry = file.profiles[name] ?? .init()
            if let server { entry = .init(server: server, token: entry.server == server ? entry.token : nil, project: entry.project) }
            if let store { entry = .init(store: store, project: entry.project) }
            if let project { entry.project = project.isEmpty ? nil : project }
            guard entry.server != nil || entry.store != nil || entry.project != nil else {
                throw HangarError.invalid("give --server, --store or --project for profile '\(name)'")
            }
            file.profiles[name] = entry
            if file.current == nil { file.current = name }
            try file.save()
            print("profile '\(name)' saved" + (file.current == name ? " (current)" : ""))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a profile and its token.")
        @Argument var name: String

        func run() throws {
            try ProfileFile.update {
                _ = try $0.profile(name)
                $0.profiles[name] = nil
                if $0.current == name { $0.current = nil }
            }
            print("profile '\(name)' removed")
        }
    }
}

/// A profile as `profile ls --json` shows it: whether a token is saved, never the token.
struct ShownProfile: Encodable {
    var name: String
    var current: Bool
    var server: String?
    var store: String?
    var project: String?
    var tokenSaved: Bool
}

extension ProfileFile {
    func shown(_ name: String) -> ShownProfile {
        let p = profiles[name] ?? .init()
        return ShownProfile(name: name, current: name == current, server: p.server, store: p.server == nil ? p.store ?? ".hangar" : nil,
                            project: p.project, tokenSaved: p.token != nil)
    }
}

private func nonBlank(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}
