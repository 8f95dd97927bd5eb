import Foundation
import Synchronization

/// A small in-memory cache whose entries live for `ttl` at most: for facts every request
/// needs (a token, whether a project exists) that change rarely. Changes made through
/// this process remove the entries they touch at once; changes made by another process
/// on the same stores are seen within `ttl`. Bounded: past `capacity` entries it is
/// emptied (cheap, and a flood of distinct keys costs nothing but misses).
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let ttl: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: (value: Value, until: ContinuousClock.Instant)]>([:])

    public init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The value, if cached and fresh.
    public func get(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        return entries.withLock { e in
            guard let hit = e[key] else { return nil }
            guard hit.until > now else { e[key] = nil; return nil }
            return hit.value
        }
    }

    public func put(_ key: Key, _ value: Value) {
        let until = ContinuousClock.now + ttl
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = (value, until)
        }
    }

    public func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
    public func removeAll() { entries.withLock { $0.removeAll() } }
    public func removeAll(where match: (Key) -> Bool) {
        entries.withLock { e in for k in e.keys where match(k) { e[k] = nil } }
    }
}

/// What the service caches for the requests every client makes, for one second: tokens,
/// projects, environments (with their pointers). A change made through this process
/// removes what it touches at once; one made by another process on the same store is
/// seen within a second. Release operations (promote, rollback, cut) read fresh.
public final class ServiceCaches: Sendable {
    /// By the hash of the presented secret: the token record it authenticates as.
    let tokens = TTLCache<String, TokenRecord>(ttl: .seconds(1))
    let projects = TTLCache<String, ProjectRecord>(ttl: .seconds(1))
    let environments = TTLCache<String, [EnvironmentRecord]>(ttl: .seconds(1))

    public init() {}

    /// Forgets what is cached about `project` (after a change to it).
    func changed(project: String) {
        projects.remove(project)
        environments.remove(project)
    }
}
