import ArgumentParser
import Foundation
import HangarCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the embedded store lives and who is acting.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store folder (default: $HANGAR_STORE, else ./.hangar).")
    var store: String?

    @Option(name: .long, help: "Who is acting, for the audit log (default: $HANGAR_ACTOR, else the OS user).")
    var actor: String?

    @Option(name: .customLong("signing-key"), help: "Ed25519 private key (PEM) that signs provenance, moves and checkpoints (default: $HANGAR_SIGNING_KEY, else <store>/signing-key.pem, made on first use).")
    var signingKey: String?

    var signingKeyPath: String? {
        signingKey ?? ProcessInfo.processInfo.environment["HANGAR_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var path: String {
        if let store { return store }
        if let env = ProcessInfo.processInfo.environment["HANGAR_STORE"], !env.isEmpty { return env }
        return ".hangar"
    }

    var actorName: String {
        if let actor, !actor.isEmpty { return actor }
        if let env = ProcessInfo.processInfo.environment["HANGAR_ACTOR"], !env.isEmpty { return env }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid-\(getuid())"
    }

    func blobStore() throws -> FileSystemBlobStore {
        try FileSystemBlobStore(root: path)
    }

    func service() throws -> HangarService {
        try HangarService.openEmbedded(at: path, signingKeyPath: signingKeyPath)
    }

    /// The store every release command talks to.
    func client() throws -> any HangarClient {
        try service()
    }
}

/// `--json` for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a human table.")
    var json = false
}

/// Parses a digest argument with the core's own error message.
func parseDigest(_ text: String) throws -> Digest {
    try Digest(parsing: text)
}

/// `--force --reason "…"` and compare-and-swap for pointer moves.
struct MoveFlags: ParsableArguments {
    @Flag(help: "Override the environment's policy (needs --reason; recorded in the audit log).")
    var force = false
    @Option(help: "Why this move is made (required with --force).")
    var reason: String?
    @Option(name: .customLong("expect-generation"), help: "Refuse (exit 6) unless the environment is still at this generation (see status --json).")
    var expectGeneration: Int64?

    var options: MoveOptions { MoveOptions(force: force, reason: reason, expectedGeneration: expectGeneration) }
}

extension Date {
    var display: String { Timestamp.format(self) }
}
