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

    func blobStore() async throws -> any BlobStore {
        try refuseServer()
        return try await Backends.blobStore(backends.blobs)
    }

    func service() async throws -> HangarService {
        try refuseServer()
        return try await Backends.service(backends, signingKey: signingKeyPath ?? path + "/signing-key.pem",
                                          createKey: signingKeyPath == nil)
    }

    /// The embedded store's operations, for the OS user (or --actor) with every right.
    func operations() async throws -> Operations {
        try await service().acting(as: .local(actorName))
    }

    /// The store every release command talks to: the server when one is named, else the
    /// embedded store.
    func client() async throws -> any HangarClient {
        if let endpoint = try endpoint() { return RemoteClient(endpoint: endpoint) }
        return try await operations()
    }

    /// Local-only commands work on the store folder; an explicit --server there is a mistake
    /// (HANGAR_SERVER in the environment is ignored by them).
    private func refuseServer() throws {
        if nonEmpty(server) != nil {
            throw HangarError.invalid("this command works on a local store only (--store); --server is for release commands")
        }
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
