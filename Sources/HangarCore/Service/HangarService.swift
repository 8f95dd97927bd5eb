import Foundation

/// The service every front end drives: the CLI in local mode, the HTTP server, tests.
/// It holds the two backends and the clock; every operation names its actor.
public struct HangarService: Sendable {
    public let blobs: any BlobStore
    public let metadata: any MetadataStore
    private let clock: @Sendable () -> Date

    public init(blobs: any BlobStore, metadata: any MetadataStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.blobs = blobs
        self.metadata = metadata
        self.clock = clock
    }

    /// Opens (creating if needed) the embedded default store in one folder:
    /// filesystem blobs under `<path>/blobs`, SQLite metadata at `<path>/metadata.sqlite`.
    public static func openEmbedded(at path: String, clock: @escaping @Sendable () -> Date = { Date() }) throws -> HangarService {
        let blobs = try FileSystemBlobStore(root: path)
        let metadata = try SQLiteMetadataStore(path: path + "/metadata.sqlite")
        return HangarService(blobs: blobs, metadata: metadata, clock: clock)
    }

    /// Now, at the millisecond precision every record keeps.
    public func now() -> Date { Timestamp.round(clock()) }

    /// The project, or `notFound` naming it.
    func requireProject(_ name: String) async throws -> ProjectRecord {
        try Names.checkProject(name)
        guard let project = try await metadata.project(name) else {
            throw HangarError.notFound("project \(name) does not exist (create it with 'hangar project create \(name)')")
        }
        return project
    }

    /// The project's environments and the named one, or `notFound` listing the ones that exist.
    func requireEnvironment(_ project: String, _ name: String) async throws -> (all: [EnvironmentRecord], env: EnvironmentRecord) {
        let all = try await metadata.environments(project: project)
        guard let env = all.first(where: { $0.name == name }) else {
            throw HangarError.notFound("project \(project) has no environment '\(name)' (it has: \(all.map(\.name).joined(separator: ", ")))")
        }
        return (all, env)
    }
}
