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

    init(service: HangarService, configuration: ServerConfiguration, metrics: ServerMetrics) {
        self.service = service
        self.metrics = metrics
        self.configuration = configuration
        self.access = Access(service: service, metrics: metrics)
        self.uploads = UploadSessions(blobs: service.blobs, idleLimit: .seconds(configuration.uploadIdleSeconds))
    }

    var metadata: any MetadataStore { service.metadata }
    var blobs: any BlobStore { service.blobs }
    var repositories: Repositories { Repositories(service: service) }
}
