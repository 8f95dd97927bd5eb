import Synchronization

/// What the layers of one request learn about it and the outermost middleware reports:
/// the route pattern the dispatcher matched, the caller the auth middleware identified,
/// the bytes a handler streamed in. Shared by reference because Hummingbird hands each
/// layer its own copy of the context.
public final class RequestRecord: Sendable {
    private struct State {
        var route: String?
        var caller = "anonymous"
        var tokenID: String?
        var bytesIn: Int64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// The route pattern (no names or digests), for metrics.
    public var route: String? {
        get { state.withLock { $0.route } }
        set { state.withLock { $0.route = newValue } }
    }

    /// The caller's name (token name or `anonymous`), for logs.
    public var caller: String {
        get { state.withLock { $0.caller } }
        set { state.withLock { $0.caller = newValue } }
    }

    /// The id of the token the caller presented, for the security log.
    public var tokenID: String? {
        get { state.withLock { $0.tokenID } }
        set { state.withLock { $0.tokenID = newValue } }
    }

    /// Request body bytes a handler consumed.
    public var bytesIn: Int64 { state.withLock { $0.bytesIn } }

    public func received(_ count: Int) {
        state.withLock { $0.bytesIn += Int64(count) }
    }
}
