import Foundation
import HangarCore
import HangarFileSystem
import HangarPostgres
import HangarS3
import HangarSQLite

/// Where a service's backends are, as a user writes them: `--blobs` and `--metadata`
/// locations, by default the embedded store in one folder.
public struct BackendLocations: Sendable, Equatable {
    /// The blob store: `file:///absolute/folder`, a plain folder path, or
    /// `s3://BUCKET[/PREFIX][?endpoint=…]` (see `S3Location`).
    public var blobs: String
    /// The metadata store: `sqlite:///absolute/file.sqlite`, a plain file path, or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (the password also from `PGPASSWORD`).
    public var metadata: String

    public init(blobs: String, metadata: String) {
        self.blobs = blobs
        self.metadata = metadata
    }

    /// The embedded default store: filesystem blobs in `folder`, SQLite metadata at
    /// `folder/metadata.sqlite`.
    public static func embedded(_ folder: String) -> BackendLocations {
        BackendLocations(blobs: folder, metadata: folder + "/metadata.sqlite")
    }

    /// Checks both locations name a backend this Hangar has (`invalidInput` naming the one that does not).
    public func validate() throws {
        if S3Location.isS3(blobs) { _ = try S3Location.configuration(blobs) } else { _ = try Self.folder(blobs, scheme: "file", what: "--blobs") }
        if !Self.isPostgres(metadata) { _ = try Self.folder(metadata, scheme: "sqlite", what: "--metadata") }
    }

    /// Whether a metadata location names a PostgreSQL database.
    static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// The path a location names: `<scheme>:///path` or a plain path; any other scheme is
    /// refused, naming what is built.
    static func folder(_ location: String, scheme: String, what: String) throws -> String {
        guard let colon = location.firstIndex(of: ":"), location[location.index(after: colon)...].hasPrefix("//") else {
            guard !location.isEmpty else { throw HangarError.invalid("\(what) is empty") }
            return location
        }
        let given = String(location[..<colon]).lowercased()
        guard given == scheme else {
            let built = what == "--metadata" ? "sqlite:///path or postgres://user@host/database" : "\(scheme):///path or s3://bucket/prefix"
            throw HangarError.invalid("\(what) '\(location.prefix(200))': the \(given) backend is not built; use \(built)")
        }
        let path = String(location[location.index(colon, offsetBy: 3)...])
        guard path.hasPrefix("/") else {
            throw HangarError.invalid("\(what) '\(location.prefix(200))' must name an absolute path (\(scheme):///path) or be a plain path")
        }
        return path
    }
}

/// Opens the backends a configuration names.
public enum Backends {
    /// The blob store at `location` (made if needed), its leftovers of killed writes swept.
    public static func blobStore(_ location: String) async throws -> any BlobStore {
        if S3Location.isS3(location) {
            let store = ContentAddressedStore(driver: S3Driver(try S3Location.configuration(location)))
            try await store.sweepTemporary(maxAge: 86_400)
            return store
        }
        let store = try FileSystemBlobStore(root: try BackendLocations.folder(location, scheme: "file", what: "--blobs"))
        try await store.sweepTemporary(maxAge: 86_400)
        return store
    }

    /// The metadata store at `location` (made and migrated if needed).
    public static func metadataStore(_ location: String) async throws -> any MetadataStore {
        if BackendLocations.isPostgres(location) { return try await PostgresMetadataStore(url: location) }
        let path = try BackendLocations.folder(location, scheme: "sqlite", what: "--metadata")
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        return try SQLiteMetadataStore(path: path)
    }

    /// A service over the backends at `locations`, signing with the key at `signingKey`
    /// (made on first use when `createKey`).
    public static func service(_ locations: BackendLocations, signingKey: String, createKey: Bool,
                               clock: @escaping @Sendable () -> Date = { Date() }) async throws -> HangarService {
        let blobs = try await blobStore(locations.blobs)
        let metadata = try await metadataStore(locations.metadata)
        if createKey {
            let folder = (signingKey as NSString).deletingLastPathComponent
            try Posix.makeDirectories(folder)
            try keepOutOfGit(folder)
        }
        let key = try StoreKeys.loadOrCreate(signingKey, create: createKey)
        return HangarService(blobs: blobs, metadata: metadata, signingKey: key, clock: clock)
    }

    /// The folder that holds a store's own signing key gets a `.gitignore` of `*`, so that a
    /// default `./.hangar` made inside a git checkout never reaches a commit via `git add -A`
    /// (it ignores itself too). An existing `.gitignore` is the user's and is left alone.
    static func keepOutOfGit(_ folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(".gitignore")
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let text = "# Made by Hangar: this store holds its private signing key; keep all of it out of git.\n*\n"
        _ = try StoreKeys.write(text, to: path, mode: 0o644)
    }
}

extension HangarService {
    /// Opens (creating if needed) the embedded default store in one folder:
    /// filesystem blobs under `<path>/blobs`, SQLite metadata at `<path>/metadata.sqlite`,
    /// and the signing key at `signingKeyPath` (default `<path>/signing-key.pem`, made on
    /// first use, readable by its owner only).
    public static func openEmbedded(at path: String, signingKeyPath: String? = nil,
                                    clock: @escaping @Sendable () -> Date = { Date() }) async throws -> HangarService {
        try await Backends.service(.embedded(path), signingKey: signingKeyPath ?? path + "/signing-key.pem",
                                   createKey: signingKeyPath == nil, clock: clock)
    }
}
