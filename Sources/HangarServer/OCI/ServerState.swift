import HangarCore
import Logging

/// What every handler works with: the core service, the access gate, the upload
/// sessions of this process, the metrics, and the repository helpers.
struct ServerState: Sendable {
    let service: HangarService
    let access: Access
    let uploads: UploadSessions
    let metrics: ServerMetrics
    let configuration: ServerConfiguration
    let connections: ConnectionTable
    let watchers: ConcurrencyGate
    let smallBlobs = SmallBlobCache()
    let lookups = RegistryCaches()

    init(service: HangarService, configuration: ServerConfiguration, metrics: ServerMetrics, connections: ConnectionTable) {
        self.service = service
        self.metrics = metrics
        self.configuration = configuration
        self.connections = connections
        let limits = configuration.limits
        self.access = Access(service: service, metrics: metrics, securityLog: SecurityLog(service: service, keepDays: limits.securityLogDays))
        self.uploads = UploadSessions(service: service, idleLimit: .seconds(configuration.uploadIdleSeconds),
                                      maxTotal: limits.maxUploadSessions, maxPerOwner: limits.maxUploadSessionsPerToken)
        self.watchers = ConcurrencyGate(limit: limits.maxWatchers, what: "watch requests")
    }

    var metadata: any MetadataStore { service.metadata }
    var blobs: any BlobStore { service.blobs }
    var repositories: Repositories { Repositories(service: service, caches: lookups) }
}
