import HangarCore

/// A change made to stored audit entries behind the store's back, as an attacker
/// rewriting the log would.
public enum TamperAction: Sendable, Hashable {
    /// Change one field of entry `seq` (e.g. its actor), leaving its hashes as they were.
    case edit(seq: Int64)
    /// Remove entry `seq`.
    case delete(seq: Int64)
    /// Exchange the contents (everything but the sequence number) of two entries.
    case swap(Int64, Int64)
}

/// What a backend's test provides so the metadata store suite can run against it.
public struct MetadataStoreHarness: Sendable {
    /// Makes a new, empty store.
    public var makeStore: @Sendable () async throws -> any MetadataStore
    /// Rewrites stored audit rows directly, bypassing the store's API.
    public var tamper: @Sendable (any MetadataStore, TamperAction) async throws -> Void
    /// Opens another handle on the same database as `store`, as a second server would
    /// (its own connections: nothing shared in memory with the first).
    public var secondHandle: @Sendable (any MetadataStore) async throws -> any MetadataStore

    public init(
        makeStore: @escaping @Sendable () async throws -> any MetadataStore,
        tamper: @escaping @Sendable (any MetadataStore, TamperAction) async throws -> Void,
        secondHandle: @escaping @Sendable (any MetadataStore) async throws -> any MetadataStore
    ) {
        self.makeStore = makeStore
        self.tamper = tamper
        self.secondHandle = secondHandle
    }
}

/// The contract of `MetadataStore`, as checks every backend must pass.
public enum MetadataStoreConformance {
    public typealias Case = ConformanceCase<MetadataStoreHarness>

    public static let cases: [Case] = projectCases + candidateCases + pointerCases + historyCases + auditCases
        + tokenCases + manifestCases + reportCases + referenceCases + handleCases + unitCases + snapshotCases + collectionCases
}
