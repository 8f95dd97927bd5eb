import ArgumentParser
import Foundation
import HangarBackends
import HangarCore
import HangarFileSystem
import HangarRemote

#if canImport(Glibc)
import Glibc
#endif

/// Where the store is (an embedded folder, or a `hangar serve`) and who is acting.
///
/// The first of these decides: `--server`, `--store`, `--profile`, then `$HANGAR_SERVER`,
/// `$HANGAR_STORE`, `$HANGAR_PROFILE`, then the current profile of the profiles file (see
/// `ProfileFile`), else `./.hangar`. A profile's token goes only to that profile's server.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store folder (default: $HANGAR_STORE, else the profile's, else ./.hangar).")
    var store: String?

    @Option(name: .long, help: "Blob store, file:///FOLDER or s3://BUCKET[/PREFIX][?endpoint=URL&region=R] with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: $HANGAR_BLOBS, else the store folder).")
    var blobs: String?

    @Option(name: .long, help: "Metadata store, sqlite:///FILE or postgres://USER@HOST[:PORT]/DB (default: $HANGAR_METADATA, else <store>/metadata.sqlite).")
    var metadata: String?

    @Option(name: .long, help: "Who is acting, for the audit log (default: $HANGAR_ACTOR, else the OS user). A server takes it from the token.")
    var actor: String?

    @Option(name: .long, help: "A hangar serve to talk to instead of a local store, e.g. https://hangar.example.com (default: $HANGAR_SERVER, else the profile's).")
    var server: String?

    @Option(name: .long, help: "API token for the server (default: $HANGAR_TOKEN, else the profile's).")
    var token: String?

    @Option(name: .long, help: "Profile of the profiles file to use (default: $HANGAR_PROFILE, else the current one; see 'hangar profile').")
    var profile: String?

    @Option(name: .customLong("signing-key"), help: "Ed25519 private key (PEM) that signs provenance, moves and checkpoints (default: $HANGAR_SIGNING_KEY, else <store>/signing-key.pem, made on first use).")
    var signingKey: String?

    var signingKeyPath: String? {
        signingKey ?? ProcessInfo.processInfo.environment["HANGAR_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where commands go: a server (and the token for it) or a local store folder.
    enum Location: Equatable {
        case server(url: String, token: String?)
        case local(path: String)
    }

    /// The location, by the rule above.
    func location() throws -> Location {
        let env = ProcessInfo.processInfo.environment
        let flagToken = nonEmpty(token) ?? nonEmpty(env["HANGAR_TOKEN"])
        if let flag = nonEmpty(server) {
            if store != nil { throw HangarError.invalid("give either --server (a hangar serve) or --store (a local folder), not both") }
            return .server(url: flag, token: flagToken)
        }
        if let store { return .local(path: store) }
        if let name = try profileName() { return try Self.location(of: name, token: flagToken) }
        if let url = nonEmpty(env["HANGAR_SERVER"]) { return .server(url: url, token: flagToken) }
        if let path = nonEmpty(env["HANGAR_STORE"]) { return .local(path: path) }
        return .local(path: ".hangar")
    }

    /// The profile in use: --profile; else, unless $HANGAR_SERVER or $HANGAR_STORE says
    /// where to go, $HANGAR_PROFILE or the profiles file's current one.
    private func profileName() throws -> String? {
        let env = ProcessInfo.processInfo.environment
        if nonEmpty(server) != nil || store != nil { return nil }
        if let name = nonEmpty(profile) { return name }
        if nonEmpty(env["HANGAR_SERVER"]) != nil || nonEmpty(env["HANGAR_STORE"]) != nil { return nil }
        return try nonEmpty(env["HANGAR_PROFILE"]) ?? ProfileFile.load().current
    }

    /// A profile's server (with its own token unless one was given) or store.
    private static func location(of name: String, token: String?) throws -> Location {
        let profile = try ProfileFile.load().profile(name)
        if let server = profile.server { return .server(url: server, token: token ?? profile.token) }
        return .local(path: profile.store ?? ".hangar")
    }

    /// The default project of the profile in use, if it has one.
    func defaultProject() throws -> String? {
        guard let name = try profileName() else { return nil }
        return try ProfileFile.load().profile(name).project
    }

    var path: String {
        get throws {
            if case .local(let path) = try location() { return path }
            return ".hangar"
        }
    }

    var actorName: String {
        if let actor, !actor.isEmpty { return actor }
        if let env = ProcessInfo.processInfo.environment["HANGAR_ACTOR"], !env.isEmpty { return env }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid-\(getuid())"
    }

    /// The server release commands talk to, or nil for the local store.
    func endpoint() throws -> ServerEndpoint? {
        guard case .server(let url, let token) = try location() else { return nil }
        return try ServerEndpoint(url: url, token: token)
    }

    /// The backends: --blobs/--metadata (or $HANGAR_BLOBS/$HANGAR_METADATA), else the store folder's.
    var backends: BackendLocations {
        get throws {
            let env = ProcessInfo.processInfo.environment
            let embedded = BackendLocations.embedded(try path)
            return BackendLocations(blobs: nonEmpty(blobs) ?? nonEmpty(env["HANGAR_BLOBS"]) ?? embedded.blobs,
                                    metadata: nonEmpty(metadata) ?? nonEmpty(env["HANGAR_METADATA"]) ?? embedded.metadata)
        }
    }

    /// The blob store of a command that works on a store folder only (`localOnly`).
    func blobStore(for command: String) async throws -> any BlobStore {
        try localOnly(command)
        return try await Backends.blobStore(try backends.blobs)
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
        try await Backends.service(try backends, signingKey: try signingKeyPath ?? path + "/signing-key.pem",
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
