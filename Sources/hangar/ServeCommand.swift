import ArgumentParser
import Foundation
import HangarCore
import HangarServer

/// `hangar serve`: the HTTP server (OCI distribution API, native API, metrics) on the
/// embedded store. Settings: flags, then `HANGAR_*` variables, then the YAML file given
/// by `--config` or `HANGAR_CONFIG`, then the defaults.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the store over HTTP: OCI distribution API (/v2/) and native API (/api/v1/).",
        discussion: """
            Precedence: flags > environment (HANGAR_STORE, HANGAR_BLOBS, HANGAR_METADATA, HANGAR_BIND, HANGAR_PORT, \
            HANGAR_ANONYMOUS_READ, HANGAR_LOG_LEVEL, HANGAR_UPLOAD_IDLE_SECONDS, HANGAR_SIGNING_KEY) > config file \
            (keys store, blobs, metadata, bind, port, anonymous-read, log-level, upload-idle-seconds, signing-key) \
            > defaults (.hangar, 127.0.0.1, 5000). --metadata postgres://USER@HOST[:PORT]/DB shares one PostgreSQL \
            database between servers.
            With --port 0 a free port is picked; the first line on stdout is always \
            'hangar: serving on http://HOST:PORT'. SIGTERM or SIGINT stop accepting and let \
            requests in flight finish.
            Limits (--limit NAME=N, HANGAR_<NAME> with '-' as '_', or 'limits:' in the file): \
            max-connections (0 = from the open-file limit), header-timeout (10 s), idle-timeout \
            (60 s), max-header-bytes (65536), max-path-bytes (4096), max-upload-sessions (1000), \
            max-upload-sessions-per-token (100), max-watchers (1000), security-log-days (30).
            """)

    @Option(help: "Store folder (default: $HANGAR_STORE, else ./.hangar).") var store: String?
    @Option(help: "Blob store, file:///FOLDER or s3://BUCKET[/PREFIX][?endpoint=URL&region=R] with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: $HANGAR_BLOBS, else the store folder).") var blobs: String?
    @Option(help: "Metadata store, sqlite:///FILE or postgres://USER@HOST[:PORT]/DB (default: $HANGAR_METADATA, else <store>/metadata.sqlite).") var metadata: String?
    @Option(help: "Address to bind (default 127.0.0.1).") var bind: String?
    @Option(help: "TCP port (default 5000; 0 picks a free one).") var port: Int?
    @Option(help: "YAML configuration file (default: $HANGAR_CONFIG).") var config: String?
    @Flag(inversion: .prefixedNo, help: "Let requests without a token read every project (as a deployer).")
    var anonymousRead: Bool?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(name: .customLong("signing-key"), help: "Ed25519 private key (PEM) that signs provenance, moves and checkpoints (default: <store>/signing-key.pem, made on first use).")
    var signingKey: String?
    @Option(name: .customLong("limit"), help: ArgumentHelp(
        "A limit as NAME=NUMBER, repeatable: \(ServerLimits.settings.map(\.name).joined(separator: ", ")).",
        valueName: "name=number"))
    var limits: [String] = []
    @Option(help: "How whole-blob reads are checked: at-rest (default; blobs checked when written, by a checked read or by the scrub, and unchanged since, are sent without hashing) or every-byte.")
    var blobReads: String?
    @Option(help: "Re-read and check every blob every this many hours; 0 turns the scrub off (default 24).")
    var scrubHours: Int?
    @Option(help: "Collect garbage by the projects' retention rules every this many minutes; 0 turns it off (default 60).")
    var gcMinutes: Int?
    @Option(help: "Never collect a blob written or linked in the last this many minutes (default 30).")
    var gcGraceMinutes: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var file = ServerSettings()
        if let path = config ?? environment["HANGAR_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw HangarError.notFound("configuration file \(path) cannot be read")
            }
            file = try ServerSettings.yaml(text, source: path)
        }
        var flags = ServerSettings(store: store, bind: bind, port: port, anonymousRead: anonymousRead, logLevel: logLevel,
                                   signingKey: signingKey)
        flags.blobs = blobs
        flags.metadata = metadata
        for text in limits {
            let (name, value) = try ServerLimits.parseAssignment(text)
            flags.limits[name] = value
        }
        flags.source = "--limit"
        if let blobReads { flags.blobReads = try ServerSettings.readVerification(blobReads, "--blob-reads") }
        flags.scrubHours = scrubHours
        flags.gcMinutes = gcMinutes
        flags.gcGraceMinutes = gcGraceMinutes
        let configuration = try ServerConfiguration.layered([flags, try ServerSettings.environment(environment), file])
        try await runServer(configuration) { host, port in
            let shown = host.contains(":") ? "[\(host)]" : host
            // Unbuffered, so a script reading the address sees it at once.
            FileHandle.standardOutput.write(Data("hangar: serving on http://\(shown):\(port)\n".utf8))
        }
    }
}
