import ArgumentParser
import HangarCore

/// `hangar audit log|verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and verify the tamper-evident audit log.", subcommands: [Log.self, Verify.self, CheckpointCommand.self, ProveCommand.self, ConsistencyCommand.self, AuditAtCommand.self])

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Audit entries, oldest first (of one project when given).")
        @Argument(help: "Only entries of this project.") var project: String?
        @Option(help: "Only entries after this sequence number.") var after: Int64 = 0
        @Option(help: "At most this many entries.") var limit: Int = 1000
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let entries = try await store.client().auditLog(project: project, after: after, limit: limit)
            if output.json { return try Terminal.json(entries) }
            Terminal.table(["SEQ", "WHEN", "ACTOR", "ACTION", "PROJECT", "SUBJECT", "DETAILS"], entries.map { e in
                [String(e.seq), e.at.display, e.actor, e.action, e.project ?? "-", e.subject ?? "-",
                 e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
            })
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the whole hash chain and every deployment against it; exit 5 naming each break.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let v = try await store.client().verifyAudit()
            if output.json {
                try Terminal.json(v)
            } else {
                for b in v.breaks { print("BROKEN  \(b)") }
                for m in v.deploymentMismatches { print("MISMATCH  \(m)") }
                for m in v.stateMismatches { print("STATE  \(m)") }
                print(v.ok ? "audit log intact: \(v.entries) entries, head \(v.head)"
                           : "audit log TAMPERED: \(v.problems) problem(s) in \(v.entries) entries")
            }
            if !v.ok { throw CommandFailure(code: ExitCodes.code(for: .integrity)) }
        }
    }
}
