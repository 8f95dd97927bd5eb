import ArgumentParser
import HangarCore

/// The `hangar` command: a thin layer of argument parsing over HangarCore.
struct Hangar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hangar",
        abstract: "Content-addressed artifact store and promoter.",
        discussion: """
            Store location: --store PATH, else $HANGAR_STORE, else ./.hangar. Release commands talk
            to a server instead with --server URL (or $HANGAR_SERVER), token --token (or $HANGAR_TOKEN).
            Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 refused by policy,
            4 not found, 5 integrity failure, 6 conflict, 7 limit exceeded, 8 denied,
            9 the server is at a limit (retry later), 10 a deployment failed (wait),
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
        ]
    )
}

@main
enum Main {
    static func main() async {
        do {
            var command = try Hangar.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(for: error)
        }
    }

    /// Prints the error the way a user should see it and exits with its code.
    static func exit(for error: any Error) -> Never {
        if let error = error as? HangarError {
            Terminal.error("hangar: error: \(error)")
            Hangar.exit(withError: ExitCode(ExitCodes.code(for: error.kind)))
        }
        if let failure = error as? CommandFailure {
            Hangar.exit(withError: ExitCode(failure.code))
        }
        let code = Hangar.exitCode(for: error)
        if code == .validationFailure {
            Terminal.error(Hangar.fullMessage(for: error))
            Hangar.exit(withError: ExitCode(ExitCodes.usage))
        }
        Hangar.exit(withError: error)
    }
}

/// A command that has already told the user what went wrong and only needs to exit.
struct CommandFailure: Error {
    var code: Int32
}
