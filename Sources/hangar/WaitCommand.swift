import ArgumentParser
import Foundation
import HangarCore

/// `hangar wait PROJECT ENV [--for REF] [--agents N] [--timeout 10m]`: for CI jobs that
/// must not go on before a promotion is deployed.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until the deploy agents report the environment's move deployed; the exit code says how it went.",
        discussion: """
            Waits for the move in effect now (or, with --for, the move that puts that candidate there, \
            which may come later). Exit 0 when --agents agents reported it succeeded, 10 when an agent \
            reported it failed, 11 on timeout, 6 when the environment moved on before it was reported.
            """)
    @Argument var project: String
    @Argument(help: "The environment.") var environment: String
    @Option(name: .customLong("for"), help: "Wait for the move that puts this candidate there (tag or digest).") var ref: String?
    @Option(help: "How many distinct agents must report success.") var agents: Int = 1
    @Option(help: "Give up after this long (30s, 10m, 1h).") var timeout: String = "10m"
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let span = try TimeSpan.parse(timeout, what: "--timeout")
        let wait = DeploymentWait(project: project, environment: environment, ref: ref, agents: agents, timeout: .seconds(span.seconds))
        let line = StatusLine(label: "wait")
        let outcome = try await wait.run(try await store.client()) { entry in
            guard let entry else { return line.show("\(environment) does not run \(ref ?? "it") yet") }
            line.show("\(entry.toTag ?? "?") in \(environment): \(entry.reports.count) report(s)")
        }
        line.finish()
        try report(outcome)
    }

    private func report(_ outcome: WaitOutcome) throws {
        switch outcome {
        case .succeeded(let entry):
            if output.json { return try Terminal.json(WaitAnswer(outcome: "succeeded", move: entry)) }
            let agents = Set(entry.reports.filter { $0.status == .succeeded }.map(\.agent)).sorted()
            print("\(project) \(environment) runs \(entry.toTag ?? "?"): deployed (\(agents.joined(separator: ", ")) reported success)")
        case .failed(let entry, let r):
            if output.json { try Terminal.json(WaitAnswer(outcome: "failed", move: entry)) } else {
                Terminal.error("hangar: \(project) \(environment) → \(entry.toTag ?? "?"): agent \(r.agent) reported failure at \(r.at.display)"
                               + (r.message.map { ": \($0)" } ?? ""))
            }
            throw CommandFailure(code: ExitCodes.deploymentFailed)
        case .movedOn(let awaited, let now):
            if output.json { try Terminal.json(WaitAnswer(outcome: "moved-on", move: awaited)) } else {
                Terminal.error("hangar: \(environment) of \(project) moved on to \(now.tag ?? "?") before \(awaited.toTag ?? "?") was reported deployed")
            }
            throw CommandFailure(code: ExitCodes.code(for: .conflict))
        case .timedOut(let entry):
            if output.json { try Terminal.json(WaitAnswer(outcome: "timeout", move: entry)) } else {
                let what = entry.map { "\($0.toTag ?? "?") (\($0.reports.count) report(s) so far)" } ?? "\(ref ?? "a move") to arrive"
                Terminal.error("hangar: gave up after \(timeout) waiting for \(environment) of \(project): \(what)")
            }
            throw CommandFailure(code: ExitCodes.timedOut)
        }
    }
}

/// `wait --json`: how it ended and the move (with its reports).
private struct WaitAnswer: Encodable {
    var outcome: String
    var move: HistoryEntry?
}
