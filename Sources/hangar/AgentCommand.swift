import ArgumentParser
import Foundation
import HangarCore
import HangarRemote

/// `hangar agent`: keeps a folder holding what an environment points at.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Deploy agent: keep a folder holding what an environment of a server points at.",
        discussion: """
            Watches the environment (long-poll), and whenever its pointer moves (promotion or \
            rollback) fetches the candidate, verified and swapped into --to atomically, runs \
            --exec through /bin/sh -c with HANGAR_PROJECT, HANGAR_ENV, HANGAR_TAG, HANGAR_DIGEST \
            and HANGAR_TARGET set, and reports in-progress, then succeeded or failed, to the \
            server. What it deployed is kept in .<dir>.hangar-agent.json beside the folder, so a \
            restart does not deploy again. Logs one line per action to stderr.
            """)

    @Option(help: "The hangar serve to watch (default: $HANGAR_SERVER).") var server: String?
    @Option(help: "API token, a deployer token is enough (default: $HANGAR_TOKEN).") var token: String?
    @Option(help: "Project, e.g. acme/checkout.") var project: String
    @Option(name: .customLong("env"), help: "Environment to follow, e.g. production.") var environment: String
    @Option(help: "Folder that holds the deployed artifacts (one subfolder per artifact).") var to: String
    @Option(name: .customLong("exec"), help: "Command run after each deployment (through /bin/sh -c).") var hook: String?
    @Option(help: "Poll interval when the watch fails, and the first retry delay: 500ms, 2s, 1m.") var interval: String = "2s"
    @Flag(help: "Deploy if needed, then exit (0 when the folder holds the environment's candidate).") var once = false
    @OptionGroup var limits: LimitOptions

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = [server, env["HANGAR_SERVER"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw HangarError.invalid("hangar agent needs --server URL (or $HANGAR_SERVER)")
        }
        try Names.checkProject(project)
        try Names.checkEnvironment(environment)
        let endpoint = try ServerEndpoint(url: url, token: token ?? env["HANGAR_TOKEN"])
        var configuration = AgentConfiguration(project: project, environment: environment, target: to,
                                               hook: hook.map(DeployHook.init), interval: try Self.duration(interval))
        configuration.limits = limits.limits
        let label = "\(project) \(environment)"
        let agent = try DeployAgent(client: RemoteClient(endpoint: endpoint), configuration: configuration) { line in
            Terminal.error("\(Timestamp.format(Date())) hangar agent \(label): \(line)")
        }
        guard once else { return try await agent.run() }
        switch try await agent.runOnce() {
        case .empty, .upToDate, .deployed: return
        case .failed: throw CommandFailure(code: ExitCodes.error)
        }
    }

    /// `500ms`, or what `TimeSpan.parse` reads (`2s`, `1m`, `1h30m`); at least 100ms.
    static func duration(_ text: String) throws -> Duration {
        let value: Duration
        if text.hasSuffix("ms"), let ms = Int(text.dropLast(2)) {
            value = .milliseconds(ms)
        } else {
            value = .seconds(try TimeSpan.parse(text, what: "--interval").seconds)
        }
        guard value >= .milliseconds(100) else { throw HangarError.invalid("--interval \(text) is too short (at least 100ms)") }
        return value
    }
}
