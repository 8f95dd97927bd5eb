import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Keeps one client from making the server unreachable by holding connections open.
///
/// Every connection is registered in one `ConnectionTable`. A connection is *waiting*
/// from the moment it opens, and again after each response, until the head of its next
/// request has been read; otherwise it is *busy*. Two rules follow:
/// - a new connection must deliver its first request head within `headerTimeout`, or it
///   is closed (slowloris clients trickling header bytes are closed by this too);
/// - when more than `maxConnections` are open, the connection that has been waiting the
///   longest is closed to make room. Busy connections are never closed this way; if every
///   connection is busy the newcomer is closed instead.
/// So thousands of idle or slow connections cost each other their places, not the place of
/// a client that sends a request as soon as it connects. Idle keep-alive time and stalled
/// request bodies are bounded by Hummingbird's `idleTimeout`, set alongside.
final class ConnectionTable: Sendable {
    struct Entry {
        let channel: any Channel
        /// When the connection started waiting for its next request head; nil while busy.
        var waitingSince: ContinuousClock.Instant?
    }

    let maxConnections: Int
    let headerTimeout: Duration
    private let state = Mutex<(entries: [ObjectIdentifier: Entry], evicted: Int)>(([:], 0))

    init(maxConnections: Int, headerTimeout: Duration) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
    }

    /// How many connections are open now.
    var count: Int { state.withLock { $0.entries.count } }
    /// How many waiting connections were closed to make room, since start.
    var evictions: Int { state.withLock { $0.evicted } }

    /// Registers a new connection; returns the connection to close to stay within the limit
    /// (the longest-waiting one, or the newcomer when every other is busy), if any.
    func opened(_ channel: any Channel) -> (any Channel)? {
        let id = ObjectIdentifier(channel)
        return state.withLock { s -> (any Channel)? in
            s.entries[id] = Entry(channel: channel, waitingSince: .now)
            guard s.entries.count > maxConnections else { return nil }
            var victim: (id: ObjectIdentifier, since: ContinuousClock.Instant)?
            for (key, entry) in s.entries where key != id {
                guard let since = entry.waitingSince else { continue }
                if victim == nil || since < victim!.since { victim = (key, since) }
            }
            let chosen = victim?.id ?? id
            let channel = s.entries.removeValue(forKey: chosen)?.channel
            s.evicted += 1
            return channel
        }
    }

    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The connection started reading a request (`busy`) or finished a response (`waiting`).
    func mark(_ channel: any Channel, waiting: Bool) {
        state.withLock { s in
            s.entries[ObjectIdentifier(channel)]?.waitingSince = waiting ? .now : nil
        }
    }

    /// The handler that registers one connection (Hummingbird builds one per connection).
    func handler() -> ConnectionGuardHandler { ConnectionGuardHandler(table: self) }
}

/// The per-connection side of `ConnectionTable`: registers the connection, marks it busy
/// when a request head arrives and waiting when a response ends, and closes it when its
/// first head does not arrive within the header timeout.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let table: ConnectionTable
    private var registered = false
    private var sawHead = false
    private var headerDeadline: Scheduled<Void>?

    init(table: ConnectionTable) { self.table = table }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if let victim = table.opened(context.channel) {
            victim.close(promise: nil)
            if victim === context.channel { return }
        }
        let channel = context.channel
        headerDeadline = context.eventLoop.scheduleTask(in: .nanoseconds(table.headerTimeout.nanoseconds)) {
            channel.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        headerDeadline?.cancel()
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headerDeadline?.cancel()
        table.closed(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            if !sawHead {
                sawHead = true
                headerDeadline?.cancel()
                headerDeadline = nil
            }
            table.mark(context.channel, waiting: false)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { table.mark(context.channel, waiting: true) }
        context.write(data, promise: promise)
    }
}
