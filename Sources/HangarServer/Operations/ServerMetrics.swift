import CoreMetrics
import Prometheus
import Synchronization

/// The server's Prometheus metrics, in a registry of its own (so several servers in one
/// process, as in tests, do not mix their numbers). Recorded through the swift-metrics
/// API with a Prometheus factory; `/metrics` renders the registry in the text format.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// The handles of each (method, route, status) and route, made once: looking them up
    /// in the registry on every request cost more than the rest of a HEAD.
    private let handles = Mutex<(counters: [String: CoreMetrics.Counter], timers: [String: CoreMetrics.Timer])>(([:], [:]))
    private let receivedBytes: CoreMetrics.Counter
    private let sentBytes: CoreMetrics.Counter

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["hangar_upload_duration_seconds"] = [
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15),
            .seconds(60), .seconds(300), .seconds(1800),
        ]
        self.factory = factory
        receivedBytes = Counter(label: "hangar_http_received_bytes_total", factory: factory)
        sentBytes = Counter(label: "hangar_http_sent_bytes_total", factory: factory)
    }

    /// One answered request: counted by method, route pattern and status, and timed.
    public func request(method: String, route: String, status: Int, duration: Duration, bytesIn: Int64, bytesOut: Int64) {
        let key = "\(method) \(route) \(status)"
        let (counter, timer) = handles.withLock { h -> (CoreMetrics.Counter, CoreMetrics.Timer) in
            let counter = h.counters[key] ?? {
                let c = Counter(label: "hangar_http_requests_total",
                                dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory)
                h.counters[key] = c
                return c
            }()
            let timer = h.timers[route] ?? {
                let t = Timer(label: "hangar_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
                h.timers[route] = t
                return t
            }()
            return (counter, timer)
        }
        counter.increment()
        timer.recordNanoseconds(duration.nanoseconds)
        if bytesIn > 0 { receivedBytes.increment(by: bytesIn) }
        if bytesOut > 0 { sentBytes.increment(by: bytesOut) }
    }

    /// A blob upload finished (session start to commit).
    public func upload(duration: Duration, bytes: Int64, created: Bool) {
        Timer(label: "hangar_upload_duration_seconds", factory: factory).recordNanoseconds(duration.nanoseconds)
        Counter(label: "hangar_blobs_stored_total", dimensions: [("new", String(created))], factory: factory).increment()
    }

    /// An environment pointer moved through the server.
    public func pointerMoved(kind: String, environment: String) {
        Counter(label: "hangar_pointer_moves_total", dimensions: [("kind", kind), ("environment", environment)], factory: factory)
            .increment()
    }

    /// A request was refused for want of credentials or rights.
    public func denied(status: Int) {
        Counter(label: "hangar_access_denied_total", dimensions: [("status", String(status))], factory: factory).increment()
    }

    /// A stored blob failed its digest check while being served.
    public func corruptBlobServed() {
        Counter(label: "hangar_blob_integrity_failures_total", factory: factory).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }
}

extension Duration {
    /// The whole duration in nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
