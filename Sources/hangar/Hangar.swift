import ArgumentParser
import HangarCore
import HangarRemote

/// The `hangar` command: a thin layer of argument parsing over HangarCore.
struct Hangar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hangar",
        abstract: "Content-addressed artifact store and promoter.",
        discussion: """
            Where commands go: --server URL, --store PATH or --profile NAME; else $HANGAR_SERVER \
            (token: --token or $HANGAR_TOKEN), $HANGAR_STORE or $HANGAR_PROFILE; else the current \
            profile (hangar login); else the store folder ./.hangar.

            Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 refused by policy, \
            4 not found, 5 integrity failure, 6 conflict, 7 limit exceeded, 8 denied, \
            9 the server is at a limit (retry later), 10 a deployment failed (wait), \
            11 timed out (wait).
            """,
        version: HangarVersion.current,
        subcommands: [
            ProjectCommand.self,
            CutCommand.self,
            CherryPickCommand.self,
            PromoteCommand.self,
            RollbackCommand.self,
            ApproveCommand.self,
            WaitCommand.self,
            StatusCommand.self,
            CandidatesCommand.self,
            HistoryCommand.self,
            ShowCommand.self,
            DiffCommand.self,
            FetchCommand.self,
            AgentCommand.self,
            AuditCommand.self,
            VerifyCandidateCommand.self,
            EvidenceCommand.self,
            KeyCommand.self,
            DigestCommand.self,
            ArchiveCommand.self,
            ExtractCommand.self,
            BlobCommand.self,
            VerifyCommand.self,
            GCCommand.self,
            ServeCommand.self,
            TokenCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
            ProfileCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() async {
        ErrorText.describeForeign = NetworkErrorText.describe
        do {
            try CommandSuggestion.check(CommandLine.arguments.dropFirst())
            var command = try DefaultProject.parse(Array(CommandLine.arguments.dropFirst()))
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(for: error)
        }
    }

    /// Prints the error the way a user should see it (`hangar: error: …`, through
    /// `ErrorText`) and exits with its code: the kind's for Hangar's errors, 2 for usage
    /// errors, 1 for anything else. Help and --version go through the parser.
    static func exit(for error: any Error) -> Never {
        if let failure = error as? CommandFailure { Hangar.exit(withError: ExitCode(failure.code)) }
        if let error = error as? HangarError {
            Terminal.error("hangar: error: \(ErrorText.describe(error))")
            Hangar.exit(withError: ExitCode(ExitCodes.code(for: error.kind)))
        }
        let code = Hangar.exitCode(for: error)
        if code == .validationFailure {
            var text = Hangar.fullMessage(for: error)
            if text.hasPrefix("Error: ") { text = "hangar: error: " + lowercasedFirst(String(text.dropFirst(7))) }
            Terminal.error(text)
            Hangar.exit(withError: ExitCode(ExitCodes.usage))
        }
        if code == .success || error is ExitCode { Hangar.exit(withError: error) }
        Terminal.error("hangar: error: \(ErrorText.describe(error))")
        Hangar.exit(withError: ExitCode(ExitCodes.error))
    }

    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first, text.dropFirst().first?.isLowercase ?? true else { return text }
        return first.lowercased() + text.dropFirst()
    }
}

/// A command that has already told the user what went wrong and only needs to exit.
struct CommandFailure: Error {
    var code: Int32
}
