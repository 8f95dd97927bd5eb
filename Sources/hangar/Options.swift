import ArgumentParser
import Foundation
import HangarBackends
import HangarCore
import HangarFileSystem
import HangarRemote

#if canImport(Glibc)
import Glibc
#endif

/// Where the store is (an embedded folder, or a `hangar serve` for release commands) and
/// who is acting.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store folder (default: $HANGAR_STORE, else ./.hangar).")
    var store: String?

    @Option(name: .long, help: "Blob store, file:///FOLDER or s3://BUCKET[/PREFIX][?endpoint=URL&region=R] with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: $HANGAR_BLOBS, else the store folder).")
    var blobs: String?

    @Option(name: .long, help: "Metadata store, sqlite:///FILE or postgres://USER@HOST[:PORT]/DB (default: $HANGAR_METADATA, else <store>/metadata.sqlite).")
    var metadata: String?

    @Option(name: .long, help: "Who is acting, for the audit log (default: $HANGAR_ACTOR, else the OS user). A server takes it from the token.")
    var actor: String?

    @Option(name: .long, help: "A hangar serve to talk to instead of a local store, e.g. https://hangar.example.com (default: $HANGAR_SERVER).")
    var server: String?

    @Option(name: .long, help: "API token for --server (default: $HANGAR_TOKEN).")
    var token: String?

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

    /// The server release commands talk to: --server, else $HANGAR_SERVER unless --store
    /// names a local folder; nil for the local store.
    func endpoint() throws -> ServerEndpoint? {
        let env = ProcessInfo.processInfo.environment
        let url: String
        if let flag = nonEmpty(server) {
            if store != nil { throw HangarError.invalid("give either --server (a hangar serve) or --store (a local folder), not both") }
            url = flag
        } else if store == nil, let fromEnv = nonEmpty(env["HANGAR_SERVER"]) {
            url = fromEnv
        } else {
            return nil
        }
        return try ServerEndpoint(url: url, token: nonEmpty(token) ?? nonEmpty(env["HANGAR_TOKEN"]))
    }

    /// The backends: --blobs/--metadata (or $HANGAR_BLOBS/$HANGAR_METADATA), else the store folder's.
    var backends: BackendLocations {
        let env = ProcessInfo.processInfo.environment
        let embedded = BackendLocations.embedded(path)
        return BackendLocations(blobs: nonEmpty(blobs) ?? nonEmpty(env["HANGAR_BLOBS"]) ?? embedded.blobs,
                                metadata: nonEmpty(metadata) ?? nonEmpty(env["HANGAR_METADATA"]) ?? embedded.metadata)
    }

    /// The blob store of a command that works on a store folder only (`localOnly`).
    func blobStore(for command: String) async throws -> any BlobStore {
        try localOnly(command)
        return try await Backends.blobStore(backends.blobs)
    }

    /// The embedded store of a command that works on a store folder only (`localOnly`).
    func service(for command: String) async throws -> HangarService {
        try localOnly(command)
        return try await localService()
    }

    /// The store every other command talks to: the server when one is configured, else
    /// the embedded store acting for the OS user (or --actor) with every right. Nothing
    /// falls back from one to the other.
    func client() async throws -> any HangarClient {
        if let endpoint = try endpoint() { return RemoteClient(endpoint: endpoint) }
        return try await localService().acting(as: .local(actorName))
    }

    private func localService() async throws -> HangarService {
        try await Backends.service(backends, signingKey: signingKeyPath ?? path + "/signing-key.pem",
                                   createKey: signingKeyPath == nil)
    }

    /// A command that reads a store folder directly (raw blobs, a full re-hash) refuses
    /// when a server is configured, instead of quietly making or reading a local store.
    private func localOnly(_ command: String) throws {
        guard try endpoint() != nil else { return }
        throw HangarError.invalid("'hangar \(command)' works on a local store folder only, and a server is configured "
            + "(--server or HANGAR_SERVER): give --store PATH to use a local store, or unset HANGAR_SERVER")
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
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
