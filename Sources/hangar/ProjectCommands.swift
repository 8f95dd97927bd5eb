import ArgumentParser
import HangarCore

/// `hangar project create|set|policy|show|ls`.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Create and configure projects and their environments.",
        subcommands: [Create.self, Set.self, PolicyCommand.self, RetentionCommand.self, Show.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a project (sandbox → staging → production by default).")
        @Argument(help: "Project name, e.g. acme/checkout.") var name: String
        @Option(name: .customLong("env"), help: "An environment, in order (repeat; default sandbox, staging, production).")
        var environments: [String] = []
        @Flag(help: "Deploy every new candidate through all environments at once.") var singleStep = false
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let info = try await store.client().createProject(
                name, environments: environments.isEmpty ? HangarService.defaultEnvironments : environments,
                singleStep: singleStep)
            try printProject(info, output)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a project's settings.")
        @Argument var name: String
        @Flag(inversion: .prefixedNo, help: "Single-step (continuous delivery) mode.") var singleStep: Bool
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try printProject(try await store.client().setSingleStep(name, singleStep), output)
        }
    }

    struct PolicyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "policy", abstract: "Set an environment's promotion policy.")
        @Argument var name: String
        @Option(name: .customLong("env"), help: "The environment.") var environment: String
        @Flag(inversion: .prefixedNo, help: "Require the environment before it to have had the candidate.")
        var requirePredecessor: Bool?
        @Option(help: "Minimum time in the environment before (e.g. 30m, 2h, 1d).") var soak: String?
        @Flag(help: "Remove the soak time requirement.") var noSoak = false
        @Option(help: "Number of distinct approvals required.") var approvals: Int?
        @Flag(inversion: .prefixedNo, help: "Approvals count only from someone other than the candidate's creator and the promoter.")
        var independentApprovals: Bool?
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let service = try await store.client()
            let info = try await service.projectInfo(name)
            guard var policy = info.environments.first(where: { $0.name == environment })?.policy else {
                throw HangarError.notFound("project \(name) has no environment '\(environment)'")
            }
            if let requirePredecessor { policy.requirePredecessor = requirePredecessor }
            if let soak { policy.minimumSoakSeconds = try TimeSpan.parse(soak, what: "--soak").seconds }
            if noSoak { policy.minimumSoakSeconds = nil }
            if let approvals { policy.requiredApprovals = approvals }
            if let independentApprovals { policy.independentApprovals = independentApprovals }
            try printProject(try await service.setPolicy(name, environment: environment, policy: policy), output)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a project's environments and policies.")
        @Argument var name: String
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let client = try await store.client()
            let info = try await client.projectInfo(name)
            let retention = try await client.retentionRules(name)
            if output.json { return try Terminal.json(ProjectView(project: info.project, environments: info.environments, retention: retention)) }
            try printProject(info, output)
            print("retention: \(retention.rules)\(retention.isDefault ? " (the defaults)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List projects.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let projects = try await store.client().projects()
            if output.json { return try Terminal.json(projects) }
            Terminal.table(["PROJECT", "MODE", "CREATED", "BY"], projects.map {
                [$0.name, $0.singleStep ? "single-step" : "two-step", $0.createdAt.display, $0.createdBy]
            })
        }
    }
}

/// `project show --json`: the project, its environments and its retention rules.
struct ProjectView: Encodable {
    var project: ProjectRecord
    var environments: [EnvironmentRecord]
    var retention: RetentionAnswer
}

func describe(_ p: EnvironmentPolicy, first: Bool) -> String {
    var rules: [String] = []
    if p.requirePredecessor && !first { rules.append("after previous") }
    if let s = p.minimumSoakSeconds { rules.append("soak \(TimeSpan.format(Double(s)))") }
    if p.requiredApprovals > 0 {
        rules.append("\(p.requiredApprovals) approval(s)\(p.independentApprovals ? " by others than the creator and the promoter" : "")")
    }
    return rules.isEmpty ? "any candidate" : rules.joined(separator: ", ")
}

func printProject(_ info: ProjectInfo, _ output: OutputOptions) throws {
    if output.json { return try Terminal.json(info) }
    print("\(info.project.name) (\(info.project.singleStep ? "single-step" : "two-step"))")
    Terminal.table(["ENVIRONMENT", "POLICY"], info.environments.map { [$0.name, describe($0.policy, first: $0.position == 0)] })
}
