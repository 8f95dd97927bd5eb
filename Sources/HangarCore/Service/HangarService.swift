import Foundation

/// The service every front end drives: the CLI in local mode, the HTTP server, tests.
/// It holds the two backends and the clock; every operation names its actor.
public struct HangarService: Sendable {
    public let blobs: any BlobStore
    public let metadata: any MetadataStore
    /// Signs provenance, pointer moves and checkpoints (nil: nothing is signed).
    public let signingKey: SigningKey?
    /// Wakes watchers of a project when this process moves a pointer or records a report.
    public let changes = ChangeSignal()
    /// Short-lived caches of what every request looks up.
    public let caches = ServiceCaches()
    /// Moves of one environment in this process, one at a time.
    let moveQueue = MoveQueue()
    private let clock: @Sendable () -> Date

    public init(blobs: any BlobStore, metadata: any MetadataStore, signingKey: SigningKey? = nil,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.blobs = blobs
        self.metadata = metadata
        self.signingKey = signingKey
        self.clock = clock
    }

    /// Now, at the millisecond precision every record keeps.
    public func now() -> Date { Timestamp.round(clock()) }

    /// The project, or `notFound` naming it.
    func requireProject(_ name: String) async throws -> ProjectRecord {
        try Names.checkProject(name)
        guard let project = try await metadata.project(name) else { throw Self.noSuchProject(name) }
        return project
    }

    /// The project's state on one snapshot (`ProjectSnapshot`); `notFound` without it.
    func snapshot(_ name: String, candidates: Int, deployments: Int) async throws -> ProjectSnapshot {
        try Names.checkProject(name)
        guard let s = try await metadata.snapshot(project: name, candidates: candidates, deployments: deployments) else {
            throw Self.noSuchProject(name)
        }
        return s
    }

    static func noSuchProject(_ name: String) -> HangarError {
        HangarError.notFound("project \(name) does not exist (create it with 'hangar project create \(name)')")
    }

    /// The project, from a cache of a second (for lookups on every request of the OCI
    /// API; release operations read it fresh with `requireProject`).
    public func cachedProject(_ name: String) async throws -> ProjectRecord? {
        if let hit = caches.projects.get(name) { return hit }
        guard let project = try await metadata.project(name) else { return nil }
        caches.projects.put(name, project)
        return project
    }

    /// The project's environments, from a cache of a second (for reads on every request
    /// of the OCI API, such as resolving an environment tag).
    public func cachedEnvironments(_ project: String) async throws -> [EnvironmentRecord] {
        if let hit = caches.environments.get(project) { return hit }
        let environments = try await metadata.environments(project: project)
        caches.environments.put(project, environments)
        return environments
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
