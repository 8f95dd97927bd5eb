import ArgumentParser
import Synchronization
import Foundation
import HangarCore

/// `hangar gc [--dry-run] [--project P] [--grace 30m] [--json]`.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Collect what the projects' retention rules let go (admin); --dry-run lists it and changes nothing.",
        discussion: """
            Kept always: what any environment runs, the last rollback-depth candidates each ran \
            before, every candidate of retained releases, the newest candidate of every unreleased \
            version, tagged manifests, signed provenance and statements, and anything written in \
            the grace period. Candidate records and the audit log are never removed.
            """)
    @Flag(help: "List what would go, and why, without changing anything.") var dryRun = false
    @Option(help: "Apply the retention rules of this project only.") var project: String?
    @Option(help: "Never collect a blob written or linked this recently (default 30m).") var grace: String = "30m"
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let grace = try TimeSpan.parse(grace, what: "--grace")
        let status = StatusLine(label: dryRun ? "gc (dry run)" : "gc")
        let report = try await store.client().collectGarbage(dryRun: dryRun, project: project, grace: Double(grace.seconds)) { looked, deleted in
            status.show("\(looked) blobs looked at, \(deleted) \(dryRun ? "would go" : "deleted")")
        }
        status.finish()
        if output.json { return try Terminal.json(report) }
        let verb = report.dryRun ? "would collect" : "collected"
        if !report.candidates.isEmpty {
            Terminal.table(["PROJECT", "CANDIDATE", "RULE"], report.candidates.map { [$0.project, $0.tag, $0.rule] })
        }
        if !report.tags.isEmpty {
            Terminal.table(["PROJECT", "TAG", "RULE"], report.tags.map { [$0.project, $0.tag, $0.rule] })
        }
        if !report.manifests.isEmpty {
            Terminal.table(["PROJECT", "MANIFEST", "WHY"], report.manifests.map { [$0.project, $0.digest.description, $0.why] })
        }
        if report.resumed > 0 { print("finished \(report.resumed) deletion(s) an earlier run had begun") }
        print("\(verb) \(report.candidates.count) candidate(s), \(report.tags.count) tag(s), \(report.manifests.count) manifest(s), "
              + "\(report.blobs.count) blob(s), \(formatBytes(report.bytes)); \(report.liveBlobs) blob(s) kept")
    }
}

/// `hangar project retention NAME [--rollback-depth N] [--releases N|all] [--superseded-rcs 14d|keep] [--untagged 1d]`.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Show or set a project's retention rules (setting needs admin).")
    @Argument var name: String
    @Option(help: "Per environment, how many candidates it ran before the current one stay.") var rollbackDepth: Int?
    @Option(help: "Every candidate of the last N versions that reached production stays: a number or 'all'.") var releases: String?
    @Option(help: "An older candidate of an unreleased version goes this long after it was superseded (e.g. 14d), or 'keep'.")
    var supersededRcs: String?
    @Option(help: "An untagged, unreferenced manifest pushed over the OCI API goes when this old (e.g. 1d).") var untagged: String?
    @Option(help: "Plain tags beyond the newest N (by when they last moved) are removed: a number or 'all'.") var keepTags: String?
    @Option(help: "Plain tags that last moved longer ago than this are removed (e.g. 90d), or 'forever'.") var tagsMaxAge: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let client = try await store.client()
        var answer = try await client.retentionRules(name)
        if rollbackDepth != nil || releases != nil || supersededRcs != nil || untagged != nil || keepTags != nil || tagsMaxAge != nil {
            var rules = answer.rules
            if let rollbackDepth { rules.rollbackDepth = rollbackDepth }
            if let releases {
                guard releases == "all" || Int(releases) != nil else { throw HangarError.invalid("--releases '\(releases.prefix(40))' is not a number or 'all'") }
                rules.releases = Int(releases)
            }
            if let supersededRcs { rules.supersededAfterSeconds = supersededRcs == "keep" ? nil : try TimeSpan.parse(supersededRcs, what: "--superseded-rcs").seconds }
            if let untagged { rules.untaggedAfterSeconds = try TimeSpan.parse(untagged, what: "--untagged").seconds }
            if let keepTags {
                guard keepTags == "all" || Int(keepTags) != nil else { throw HangarError.invalid("--keep-tags '\(keepTags.prefix(40))' is not a number or 'all'") }
                rules.keepTags = Int(keepTags)
            }
            if let tagsMaxAge { rules.tagsMaxAgeSeconds = tagsMaxAge == "forever" ? nil : try TimeSpan.parse(tagsMaxAge, what: "--tags-max-age").seconds }
            answer = RetentionAnswer(rules: try await client.setRetentionRules(name, rules), isDefault: false)
        }
        if output.json { return try Terminal.json(answer) }
        print("\(name) keeps: \(answer.rules)\(answer.isDefault ? " (the defaults)" : "")")
    }
}
