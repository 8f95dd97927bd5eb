import ArgumentParser
import Foundation
import HangarCore

/// `hangar verify-candidate PROJECT REF --key PUB.pem`.
struct VerifyCandidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-candidate", abstract: "Check a candidate's signatures, provenance and blobs; exit 5 naming what is wrong.")
    @Argument var project: String
    @Argument(help: "Candidate: tag, digest or environment name.") var ref: String
    @Option(help: "The public key you trust (PEM).") var key: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let report = try await store.client().verifyCandidate(project, ref: ref, key: loadKey(key))
        try printReport(report, output)
    }
}

/// `hangar evidence PROJECT REF -o bundle.tar` and `hangar evidence verify bundle.tar --key PUB.pem`.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Write an offline evidence bundle of a candidate, or verify one.",
        subcommands: [Write.self, Verify.self], defaultSubcommand: Write.self)

    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write", abstract: "Write the evidence bundle of a candidate (a tar).")
        @Argument var project: String
        @Argument(help: "Candidate: tag, digest or environment name.") var ref: String
        @Option(name: .shortAndLong, help: "The bundle file to write.") var output: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let bytes = try await store.client().evidenceBundle(project, ref: ref)
            try AtomicFileOutput.write(to: output) { sink in try bytes.withUnsafeBytes(sink) }
            let index = try EvidenceBundle.index(of: bytes)
            print("wrote \(output): \(index.project) \(index.tag), \(index.deployments.count) move(s), \(index.auditEntries.count) audit entries with proofs")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a bundle offline (no store, no network); exit 5 naming what is wrong.")
        @Argument(help: "The bundle file.") var bundle: String
        @Option(help: "The public key you trust (PEM).") var key: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try printReport(try EvidenceVerifier(key: loadKey(key)).verify(bundleAt: bundle), output)
        }
    }
}

/// `hangar audit at PROJECT ENV --time T`.
struct AuditAtCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "at", abstract: "What an environment ran at a time, the move that put it there, its provenance, signatures and proof.")
    @Argument var project: String
    @Argument(help: "The environment.") var environment: String
    @Option(help: "The instant (ISO 8601).") var time: String
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let answer = try await store.client().timeTravel(project, environment: environment, at: Timestamp.parse(time))
        if output.json { return try Terminal.json(answer) }
        let d = answer.deployment
        print("""
            \(project) \(environment) at \(time) ran \(answer.candidate.tag)  \(answer.candidate.digest)
            commit      \(answer.candidate.commit)
            put there   \(d.kind.rawValue) #\(d.id) by \(d.actor) at \(Timestamp.format(d.at))\(d.reason.map { " (\($0))" } ?? "")
            """)
        for c in answer.verification.checks { print("\(c.ok ? "OK  " : "FAIL")  \(c.check): \(c.detail)") }
        print("audit entry \(answer.proof.seq) is in the log of \(answer.proof.treeSize) entries, root \(answer.proof.rootHash)")
        if !answer.verification.ok { throw CommandFailure(code: ExitCodes.code(for: .integrity)) }
    }
}

func printReport(_ report: VerificationReport, _ output: OutputOptions) throws {
    if output.json {
        try Terminal.json(report)
    } else {
        print(report.subject)
        for c in report.checks { print("\(c.ok ? "OK  " : "FAIL")  \(c.check): \(c.detail)") }
        print(report.ok ? "verified" : "NOT VERIFIED")
    }
    if !report.ok { throw CommandFailure(code: ExitCodes.code(for: .integrity)) }
}
