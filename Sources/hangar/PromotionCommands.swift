import ArgumentParser
import HangarCore

/// `hangar promote PROJECT REF --to ENV`.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Point an environment at a candidate (a tag, a digest or another environment).")
    @Argument(help: "Project.") var project: String
    @Argument(help: "Candidate: tag (2.4.0-rc.1), digest (sha256:…) or environment name (staging).") var ref: String
    @Option(help: "The environment to promote into.") var to: String
    @OptionGroup var flags: MoveFlags
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let outcome = try await store.client().promote(project, ref: ref, to: to, options: flags.options)
        try printMove(outcome, verb: "promoted", output)
    }
}

/// `hangar rollback PROJECT --env ENV [--to REF]`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Move an environment back to the candidate it ran before (or --to one it ran).")
    @Argument(help: "Project.") var project: String
    @Option(name: .customLong("env"), help: "The environment to roll back.") var environment: String
    @Option(help: "A candidate that ran there before (default: the previous distinct one).") var to: String?
    @OptionGroup var flags: MoveFlags
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let outcome = try await store.client().rollback(project, environment: environment, to: to, options: flags.options)
        try printMove(outcome, verb: "rolled back", output)
    }
}

/// `hangar approve PROJECT REF --env ENV`.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a candidate for an environment.")
    @Argument var project: String
    @Argument(help: "Candidate: tag, digest or environment name.") var ref: String
    @Option(name: .customLong("env"), help: "The environment the approval is for.") var environment: String
    @Option(help: "A note kept with the approval.") var comment: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let a = try await store.client().approve(project, ref: ref, environment: environment, comment: comment)
        if output.json { return try Terminal.json(a) }
        print("\(a.actor) approved \(a.candidate) for \(a.environment) of \(a.project)")
    }
}

func printMove(_ o: MoveOutcome, verb: String, _ output: OutputOptions) throws {
    if output.json { return try Terminal.json(o) }
    guard let d = o.deployment else {
        print("\(o.environment) of \(o.candidate.project) already runs \(o.candidate.tag): nothing to do")
        return
    }
    print("\(verb) \(o.candidate.project) \(o.environment) → \(o.candidate.tag)  \(o.candidate.digest)")
    if !o.overridden.isEmpty { print("policy overridden (\(o.overridden.joined(separator: ", "))): \(d.reason ?? "")") }
}
