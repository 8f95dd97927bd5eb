import ArgumentParser
import HangarCore

/// A command whose first argument is the project: with a profile's default project it may
/// be left out (`hangar status` is `hangar status acme/checkout`).
protocol ProjectFirst {}

/// Parses the command line; when it lacks an argument, names a `ProjectFirst` command and
/// the profile in use has a default project, parses it again with that project put first.
/// The first parse's error is the one reported when the second fails too.
enum DefaultProject {
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        do {
            return try Hangar.parseAsRoot(arguments)
        } catch {
            guard Hangar.message(for: error).hasPrefix("Missing expected argument"),
                  let at = projectPosition(arguments), let project = try? profileProject(arguments),
                  let command = try? Hangar.parseAsRoot(Array(arguments[..<at]) + [project] + arguments[at...]) else { throw error }
            return command
        }
    }

    /// Where the project goes: after the words naming a `ProjectFirst` command.
    private static func projectPosition(_ arguments: [String]) -> Int? {
        var command: any ParsableCommand.Type = Hangar.self
        var index = 0
        while index < arguments.count,
              let next = command.configuration.subcommands.first(where: { CommandSuggestion.name(of: $0) == arguments[index] }) {
            command = next
            index += 1
        }
        return command is any ProjectFirst.Type ? index : nil
    }

    /// The default project of the profile these arguments use (`--profile`, `--server`
    /// and `--store` as the command would read them).
    private static func profileProject(_ arguments: [String]) throws -> String? {
        var given: [String] = []
        for flag in ["--profile", "--server", "--store"] {
            for (i, word) in arguments.enumerated() {
                if word == flag, i + 1 < arguments.count { given += [flag, arguments[i + 1]] }
                if word.hasPrefix(flag + "=") { given.append(word) }
            }
        }
        return try StoreOptions.parse(given).defaultProject()
    }
}

extension CutCommand: ProjectFirst {}
extension CherryPickCommand: ProjectFirst {}
extension PromoteCommand: ProjectFirst {}
extension RollbackCommand: ProjectFirst {}
extension ApproveCommand: ProjectFirst {}
extension WaitCommand: ProjectFirst {}
extension StatusCommand: ProjectFirst {}
extension CandidatesCommand: ProjectFirst {}
extension HistoryCommand: ProjectFirst {}
extension ShowCommand: ProjectFirst {}
extension DiffCommand: ProjectFirst {}
extension FetchCommand: ProjectFirst {}
extension VerifyCandidateCommand: ProjectFirst {}
extension EvidenceCommand.Write: ProjectFirst {}
extension AuditAtCommand: ProjectFirst {}
extension ProjectCommand.Set: ProjectFirst {}
extension ProjectCommand.PolicyCommand: ProjectFirst {}
extension ProjectCommand.Show: ProjectFirst {}
extension RetentionCommand: ProjectFirst {}
