import HangarCore
import Logging

/// What every handler works with: the core service and its registry, the security log,
/// the upload sessions of this process, the metrics. Handlers reach the core only through
/// `operations(context)` and `registry`, which check the caller's rights themselves.
struct ServerState: Sendable {
    let service: HangarService
    let registry: Registry
    let securityLog: SecurityLog
    let uploads: UploadSessions
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let connections: ConnectionTable
    let watchers: ConcurrencyGate
    let smallBlobs = SmallBlobCache()

    init(service: HangarService, configuration: ServerConfiguration, metrics: ServerMetrics, connections: ConnectionTable) {
        self.service = service
        self.registry = Registry(service: service)
        self.metrics = metrics
        self.configuration = configuration
        self.connections = connections
        let limits = configuration.limits
        self.securityLog = SecurityLog(service: service, keepDays: limits.securityLogDays)
        self.uploads = UploadSessions(registry: registry, idleLimit: .seconds(configuration.uploadIdleSeconds),
                                      maxTotal: limits.maxUploadSessions, maxPerOwner: limits.maxUploadSessionsPerToken)
        self.watchers = ConcurrencyGate(limit: limits.maxWatchers, what: "watch requests")
    }

    /// The core's operations for the request's caller.
    func operations(_ context: HangarRequestContext) -> Operations {
        service.acting(as: context.caller)
    }

    var blobs: any BlobStore { service.blobs }
}
