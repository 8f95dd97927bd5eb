import Foundation
import HangarBackends
import HangarCore
import Yams

/// How `hangar serve` runs: where the embedded store is, where to listen, whether
/// anonymous clients may read. Built from layers of `ServerSettings` (flags, environment
/// variables, a YAML file) over the defaults.
public struct ServerConfiguration: Sendable, Equatable {
    /// The embedded store folder (blobs and SQLite metadata, unless `blobs` or `metadata`
    /// say otherwise, and the default signing key).
    public var store: String = ".hangar"
    /// The blob store (`file:///folder`); nil: the store folder.
    public var blobs: String?
    /// The metadata store (`sqlite:///file`); nil: `<store>/metadata.sqlite`.
    public var metadata: String?
    /// The address to bind; loopback unless told otherwise.
    public var bind: String = "127.0.0.1"
    /// The TCP port; 0 picks a free one.
    public var port: Int = 5000
    /// When true, requests without credentials act as a `deployer` of every project.
    public var anonymousRead: Bool = false
    /// swift-log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// An upload session untouched for this long is abandoned and its bytes removed.
    public var uploadIdleSeconds: Int = 3600
    /// How often abandoned upload sessions and leftovers of killed writes are swept.
    public var housekeepingSeconds: Int = 300
    /// How whole-blob reads are checked: `at-rest` (default: blobs checked when written, by
    /// a checked read or by the scrub, whose files have not changed since, are sent without
    /// hashing again) or `every-byte` (every byte hashed on every read).
    public var blobReads: ReadVerification = .atRest
    /// Every this many hours (0: never) the server re-reads and checks every blob.
    public var scrubHours: Int = 24
    /// Every this many minutes (0: never) the server collects garbage by the projects'
    /// retention rules.
    public var gcMinutes: Int = 60
    /// A blob written or linked this recently is never collected (uploads in flight).
    public var gcGraceMinutes: Int = 30
    /// The Ed25519 private key (PEM) that signs provenance, moves and checkpoints; nil:
    /// `<store>/signing-key.pem`, made on first use.
    public var signingKey: String?
    /// The limits on connections, headers, upload sessions and watchers.
    public var limits = ServerLimits()

    public init(store: String = ".hangar", bind: String = "127.0.0.1", port: Int = 5000, anonymousRead: Bool = false,
                logLevel: String = "info", uploadIdleSeconds: Int = 3600, signingKey: String? = nil) {
        self.signingKey = signingKey
        self.store = store
        self.bind = bind
        self.port = port
        self.anonymousRead = anonymousRead
        self.logLevel = logLevel
        self.uploadIdleSeconds = uploadIdleSeconds
    }

    /// The defaults overridden by each layer in turn, the first layer winning
    /// (pass flags, then environment, then file). Checks the result.
    public static func layered(_ layers: [ServerSettings]) throws -> ServerConfiguration {
        var c = ServerConfiguration()
        for layer in layers.reversed() {
            if let v = layer.store { c.store = v }
            if let v = layer.blobs { c.blobs = v }
            if let v = layer.metadata { c.metadata = v }
            if let v = layer.bind { c.bind = v }
            if let v = layer.port { c.port = v }
            if let v = layer.anonymousRead { c.anonymousRead = v }
            if let v = layer.logLevel { c.logLevel = v }
            if let v = layer.uploadIdleSeconds { c.uploadIdleSeconds = v }
            if let v = layer.signingKey { c.signingKey = v }
            if let v = layer.blobReads { c.blobReads = v }
            if let v = layer.scrubHours { c.scrubHours = v }
            if let v = layer.gcMinutes { c.gcMinutes = v }
            if let v = layer.gcGraceMinutes { c.gcGraceMinutes = v }
            for (name, value) in layer.limits.sorted(by: { $0.key < $1.key }) {
                try c.limits.set(name, value, source: layer.source)
            }
        }
        try c.validate()
        return c
    }

    /// Where the blob and metadata stores are.
    public var backends: BackendLocations {
        let embedded = BackendLocations.embedded(store)
        return BackendLocations(blobs: blobs ?? embedded.blobs, metadata: metadata ?? embedded.metadata)
    }

    /// Refuses values that cannot work, naming the setting.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw HangarError.invalid("port \(port) is not between 0 and 65535") }
        guard !bind.isEmpty else { throw HangarError.invalid("bind address is empty") }
        guard !store.isEmpty else { throw HangarError.invalid("store path is empty") }
        try backends.validate()
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw HangarError.invalid("log level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard (0...8760).contains(scrubHours) else { throw HangarError.invalid("scrub-hours must be between 0 (never) and 8760") }
        guard (0...525_600).contains(gcMinutes) else { throw HangarError.invalid("gc-minutes must be between 0 (never) and 525600 (a year)") }
        guard (1...10_080).contains(gcGraceMinutes) else { throw HangarError.invalid("gc-grace-minutes must be between 1 and 10080 (a week)") }
        guard (1...86_400).contains(uploadIdleSeconds) else {
            throw HangarError.invalid("upload-idle-seconds must be between 1 and 86400 (a day)")
        }
    }
}

/// One layer of server settings; nil means "not set here". The YAML keys and the
/// environment variables are named like the flags: `store` (`HANGAR_STORE`), `bind`
/// (`HANGAR_BIND`), `port` (`HANGAR_PORT`), `anonymous-read` (`HANGAR_ANONYMOUS_READ`),
/// `log-level` (`HANGAR_LOG_LEVEL`), `upload-idle-seconds` (`HANGAR_UPLOAD_IDLE_SECONDS`),
/// `signing-key` (`HANGAR_SIGNING_KEY`), `blobs` (`HANGAR_BLOBS`), `metadata` (`HANGAR_METADATA`).
public struct ServerSettings: Sendable, Equatable, Decodable {
    public var store: String?
    public var blobs: String?
    public var metadata: String?
    public var bind: String?
    public var port: Int?
    public var anonymousRead: Bool?
    public var logLevel: String?
    public var uploadIdleSeconds: Int?
    public var signingKey: String?
    /// Limits by name (`max-connections`, …: see `ServerLimits.settings`).
    public var limits: [String: Int] = [:]
    public var blobReads: ReadVerification?
    public var scrubHours: Int?
    public var gcMinutes: Int?
    public var gcGraceMinutes: Int?
    /// Where this layer came from, for error messages (not decoded).
    public var source = "settings"

    public init(store: String? = nil, bind: String? = nil, port: Int? = nil, anonymousRead: Bool? = nil,
                logLevel: String? = nil, uploadIdleSeconds: Int? = nil, signingKey: String? = nil) {
        self.signingKey = signingKey
        self.store = store
        self.bind = bind
        self.port = port
        self.anonymousRead = anonymousRead
        self.logLevel = logLevel
        self.uploadIdleSeconds = uploadIdleSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case store, bind, port, blobs, metadata
        case anonymousRead = "anonymous-read"
        case logLevel = "log-level"
        case uploadIdleSeconds = "upload-idle-seconds"
        case signingKey = "signing-key"
        case limits
        case blobReads = "blob-reads"
        case scrubHours = "scrub-hours"
        case gcMinutes = "gc-minutes"
        case gcGraceMinutes = "gc-grace-minutes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        store = try c.decodeIfPresent(String.self, forKey: .store)
        blobs = try c.decodeIfPresent(String.self, forKey: .blobs)
        metadata = try c.decodeIfPresent(String.self, forKey: .metadata)
        bind = try c.decodeIfPresent(String.self, forKey: .bind)
        port = try c.decodeIfPresent(Int.self, forKey: .port)
        anonymousRead = try c.decodeIfPresent(Bool.self, forKey: .anonymousRead)
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel)
        uploadIdleSeconds = try c.decodeIfPresent(Int.self, forKey: .uploadIdleSeconds)
        signingKey = try c.decodeIfPresent(String.self, forKey: .signingKey)
        limits = try c.decodeIfPresent([String: Int].self, forKey: .limits) ?? [:]
        if let text = try c.decodeIfPresent(String.self, forKey: .blobReads) { blobReads = try Self.readVerification(text, "blob-reads") }
        scrubHours = try c.decodeIfPresent(Int.self, forKey: .scrubHours)
        gcMinutes = try c.decodeIfPresent(Int.self, forKey: .gcMinutes)
        gcGraceMinutes = try c.decodeIfPresent(Int.self, forKey: .gcGraceMinutes)
    }

    /// Reads the `HANGAR_*` variables; a malformed number or boolean is `invalidInput`.
    public static func environment(_ env: [String: String]) throws -> ServerSettings {
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        func int(_ key: String) throws -> Int? {
            guard let text = value(key) else { return nil }
            guard let n = Int(text) else { throw HangarError.invalid("\(key)='\(text)' is not a number") }
            return n
        }
        var s = ServerSettings(store: value("HANGAR_STORE"), bind: value("HANGAR_BIND"), port: try int("HANGAR_PORT"),
                               logLevel: value("HANGAR_LOG_LEVEL"), uploadIdleSeconds: try int("HANGAR_UPLOAD_IDLE_SECONDS"),
                               signingKey: value("HANGAR_SIGNING_KEY"))
        s.blobs = value("HANGAR_BLOBS")
        s.metadata = value("HANGAR_METADATA")
        if let text = value("HANGAR_ANONYMOUS_READ") {
            switch text.lowercased() {
            case "1", "true", "yes", "on": s.anonymousRead = true
            case "0", "false", "no", "off": s.anonymousRead = false
            default: throw HangarError.invalid("HANGAR_ANONYMOUS_READ='\(text)' is not true or false")
            }
        }
        for setting in ServerLimits.settings {
            if let n = try int(setting.variable) { s.limits[setting.name] = n }
        }
        if let text = value("HANGAR_BLOB_READS") { s.blobReads = try readVerification(text, "HANGAR_BLOB_READS") }
        s.scrubHours = try int("HANGAR_SCRUB_HOURS")
        s.gcMinutes = try int("HANGAR_GC_MINUTES")
        s.gcGraceMinutes = try int("HANGAR_GC_GRACE_MINUTES")
        s.source = "environment"
        return s
    }

    /// `every-byte` or `at-rest`, or `invalidInput` naming `source`.
    public static func readVerification(_ text: String, _ source: String) throws -> ReadVerification {
        guard let v = ReadVerification(rawValue: text) else {
            throw HangarError.invalid("\(source)='\(text.prefix(40))' is not one of \(ReadVerification.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    /// Parses a YAML configuration file's text. Unknown keys are refused (a typo would
    /// otherwise be silently ignored).
    public static func yaml(_ text: String, source: String = "configuration") throws -> ServerSettings {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw HangarError(.invalidInput, "\(source) is not valid YAML", cause: error)
        }
        guard let node else { return ServerSettings() }
        guard let mapping = node.mapping else { throw HangarError.invalid("\(source) must be a YAML mapping of settings") }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for key in mapping.keys {
            guard let name = key.string, known.contains(name) else {
                throw HangarError.invalid("\(source): unknown setting '\(key.string ?? "?")' (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        do {
            var settings = try YAMLDecoder().decode(ServerSettings.self, from: node)
            settings.source = source
            return settings
        } catch let error as DecodingError {
            throw HangarError.invalid("\(source): \(HangarJSON.describe(error))")
        }
    }
}
