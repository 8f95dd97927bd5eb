import HangarCore
import Synchronization

/// When `FaultyDriver` fails: set by a test while it runs.
public final class FaultPlan: Sendable {
    private let state = Mutex<(appendBudget: Int64?, failCommits: Bool)>((nil, false))

    public init() {}

    /// Appends fail once this many more bytes were taken (nil: never).
    public func failAppends(after bytes: Int64?) { state.withLock { $0.appendBudget = bytes } }
    /// Commits fail while true.
    public func failCommits(_ on: Bool) { state.withLock { $0.failCommits = on } }
    /// No more faults.
    public func heal() { state.withLock { $0 = (nil, false) } }

    /// Takes `count` bytes from the budget; false when they do not fit (nothing taken).
    func take(_ count: Int) -> Bool {
        state.withLock { s in
            guard let budget = s.appendBudget else { return true }
            guard Int64(count) <= budget else { s.appendBudget = 0; return false }
            s.appendBudget = budget - Int64(count)
            return true
        }
    }

    var commitsFail: Bool { state.withLock { $0.failCommits } }
}

/// A real driver with failures injected as its contract allows them: an append past the
/// plan's budget fails with `io` having stored none of its bytes (as a driver whose write
/// failed and was rolled back), a commit fails with `io` before moving anything. Everything
/// else goes to `inner` unchanged. The blob conformance suite runs stores over it to show
/// that no failure leaves the hash state ahead of the bytes or wrong bytes under a digest.
public struct FaultyDriver<Inner: BlobDriver>: BlobDriver {
    public let inner: Inner
    public let plan: FaultPlan

    public init(_ inner: Inner, plan: FaultPlan) {
        self.inner = inner
        self.plan = plan
    }

    public var processLocal: Bool { inner.processLocal }
    public func stat(_ key: String) async throws -> DriverObject? { try await inner.stat(key) }
    public func reader(_ key: String, range: Range<Int64>?) async throws -> any DriverReader {
        try await inner.reader(key, range: range)
    }
    public func appender(_ key: String, mode: AppendMode) async throws -> any DriverAppender {
        FaultyAppender(try await inner.appender(key, mode: mode), plan: plan)
    }
    public func put(_ key: String, _ bytes: [UInt8]) async throws { try await inner.put(key, bytes) }
    public func get(_ key: String, limit: Int) async throws -> [UInt8]? { try await inner.get(key, limit: limit) }
    public func delete(_ key: String) async throws { try await inner.delete(key) }
    public func list(prefix: String, after: String?, limit: Int) async throws -> [DriverObject] {
        try await inner.list(prefix: prefix, after: after, limit: limit)
    }
    public func redirectURL(_ key: String, expiresIn: Duration) async throws -> String? {
        try await inner.redirectURL(key, expiresIn: expiresIn)
    }
}

final class FaultyAppender: DriverAppender {
    private let inner: any DriverAppender
    private let plan: FaultPlan

    init(_ inner: any DriverAppender, plan: FaultPlan) {
        self.inner = inner
        self.plan = plan
    }

    var size: Int64 { inner.size }

    nonisolated(nonsending) func append(_ bytes: UnsafeRawBufferPointer) async throws {
        guard plan.take(bytes.count) else { throw HangarError(.io, "injected fault: the write of \(bytes.count) bytes failed") }
        try await inner.append(bytes)
    }

    nonisolated(nonsending) func suspend() async throws { try await inner.suspend() }
    nonisolated(nonsending) func resume() async throws { try await inner.resume() }

    nonisolated(nonsending) func commit(as key: String) async throws -> DriverObject {
        guard !plan.commitsFail else { throw HangarError(.io, "injected fault: the commit failed") }
        return try await inner.commit(as: key)
    }

    func discard() { inner.discard() }
}
