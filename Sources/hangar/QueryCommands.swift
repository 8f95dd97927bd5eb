import ArgumentParser
import Foundation
import HangarCore

/// `hangar status PROJECT`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "What each environment runs: tag, digest, commit, since, by whom.")
    @Argument var project: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let rows = try await store.client().status(project)
        if output.json { return try Terminal.json(rows) }
        Terminal.table(["ENVIRONMENT", "CANDIDATE", "DIGEST", "COMMIT", "SINCE", "BY", "AGENT REPORT"], rows.map {
            [$0.environment, $0.tag ?? "-", $0.digest.map { "sha256:" + $0.short } ?? "-",
             $0.commit.map { String($0.prefix(12)) } ?? "-", $0.since?.display ?? "-", $0.by ?? "-", Self.describe($0.report)]
        })
    }

    /// `succeeded (agent-1, 12:03:01)`, `failed: message (agent-1, …)`, or `-` before any report.
    static func describe(_ report: DeploymentReport?) -> String {
        guard let report else { return "-" }
        let detail = report.message.map { ": " + String($0.prefix(60)) } ?? ""
        return "\(report.status.rawValue)\(report.status == .failed ? detail : "") (\(report.agent), \(report.at.display))"
    }
}

/// `hangar candidates PROJECT [--version V]`.
struct CandidatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "candidates", abstract: "A project's candidates, newest first: commit, who cut it, where it runs now.")
    @Argument var project: String
    @Option(help: "Only the candidates of this version (e.g. 2.4.0).") var version: String?
    @Option(help: "At most this many (newest first).") var limit: Int = 100
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let rows = try await store.client().candidates(project, version: version, limit: limit)
        if output.json { return try Terminal.json(rows) }
        if rows.isEmpty { return print(version.map { "\(project) has no candidate of \($0)" } ?? "\(project) has no candidates yet") }
        Terminal.table(["CANDIDATE", "DIGEST", "COMMIT", "PARENT", "ARTIFACTS", "CREATED", "BY", "RUNS IN"], rows.map { c in
            [c.tag, "sha256:" + c.digest.short, String(c.commit.prefix(12)), c.parentTag ?? "-",
             "\(c.artifacts) (\(formatBytes(c.size)))", c.createdAt.display, c.createdBy,
             c.collected.map { "collected (\($0.rule))" } ?? (c.runningIn.isEmpty ? "-" : c.runningIn.joined(separator: ", "))]
        })
    }
}

/// `hangar history PROJECT [--env ENV] [--at TIME]`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Every pointer move, newest first; --at T shows what ran then.")
    @Argument var project: String
    @Option(name: .customLong("env"), help: "Only this environment.") var environment: String?
    @Option(help: "What the environment pointed to at this instant (ISO 8601).") var at: String?
    @Option(help: "At most this many moves.") var limit: Int?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let when = try at.map(Timestamp.parse)
        let rows = try await store.client().history(project, environment: environment, at: when, limit: limit)
        if output.json { return try Terminal.json(rows) }
        if when != nil && rows.isEmpty {
            print("\(environment ?? "") of \(project) had no candidate at \(at ?? "")")
            return
        }
        Terminal.table(["WHEN", "ENVIRONMENT", "KIND", "FROM", "TO", "DIGEST", "BY", "REASON"], rows.map { h in
            let d = h.deployment
            return [d.at.display, d.environment, d.kind.rawValue + (d.overridden.isEmpty ? "" : " (forced)"),
                    h.fromTag ?? "-", h.toTag ?? "?", "sha256:" + d.to.short, d.actor, d.reason ?? ""]
        })
    }
}

/// `hangar show PROJECT REF`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A candidate: manifest, artifacts, parent, cherry-picks.")
    @Argument var project: String
    @Argument(help: "Candidate: tag, digest or environment name.") var ref: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let d = try await store.client().show(project, ref: ref)
        if output.json { return try Terminal.json(d) }
        let c = d.candidate
        print("""
            candidate   \(c.project) \(c.tag)
            digest      \(c.digest)
            commit      \(c.commit)
            parent      \(d.parentTag.map { "\($0)  \(c.parent!)" } ?? "-")
            cherry-picks \(c.cherryPicks.isEmpty ? "-" : c.cherryPicks.joined(separator: ", "))
            created     \(c.createdAt.display) by \(c.createdBy)
            running in  \(d.runningIn.isEmpty ? "-" : d.runningIn.joined(separator: ", "))
            """)
        if let b = d.config.builder { print("builder     \(b)") }
        if let r = d.config.ciRun { print("ci run      \(r)") }
        print("")
        Terminal.table(["ARTIFACT", "DIGEST", "SIZE", "MEDIA TYPE"], c.artifacts.map {
            [$0.name, $0.digest.description, formatBytes($0.size), $0.mediaType]
        })
        if let log = d.config.changelog {
            print("\nchanges\(d.changelogSinceTag.map { " since \($0)" } ?? "")")
            printCommits(log.commits, omitted: log.omitted)
        }
    }
}

/// `hangar diff PROJECT A B`.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Which artifacts changed between two candidates, and the commits between.")
    @Argument var project: String
    @Argument(help: "The older candidate.") var from: String
    @Argument(help: "The newer candidate.") var to: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let d = try await store.client().diff(project, from: from, to: to)
        if output.json { return try Terminal.json(d) }
        print("\(d.from) (\(d.fromCommit.prefix(12))) → \(d.to) (\(d.toCommit.prefix(12)))")
        if !d.cherryPicks.isEmpty { print("cherry-picks: \(d.cherryPicks.joined(separator: ", "))") }
        Terminal.table(["ARTIFACT", "CHANGE", "FROM", "TO"], d.artifacts.map {
            [$0.name, $0.change, $0.from.map { "sha256:" + $0.short } ?? "-", $0.to.map { "sha256:" + $0.short } ?? "-"]
        })
        guard let commits = d.commits else {
            return print("\ncommits: not recorded for this range (cut with a git checkout or --changelog to record them)")
        }
        print("\ncommits")
        printCommits(commits, omitted: d.commitsOmitted)
    }
}

/// A changelog as `git log --oneline` shows it, with the count of what was left out.
func printCommits(_ commits: [Changelog.Entry], omitted: Int) {
    if commits.isEmpty && omitted == 0 { return print("  (none)") }
    for entry in commits { print("  \(entry.commit.prefix(12))  \(entry.subject)") }
    if omitted > 0 { print("  … and \(omitted) older commit\(omitted == 1 ? "" : "s") not recorded") }
}
