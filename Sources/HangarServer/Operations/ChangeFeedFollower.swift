import HangarCore
import ServiceLifecycle

/// Follows the metadata store's change feed for as long as the server runs, so watchers
/// here wake when another server moves a pointer. On a store without a feed it just waits
/// for the server to stop (a service that returns would stop the whole server).
struct ChangeFeedFollower: Service {
    let service: HangarService

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await service.followChanges() }
        try? await gracefulShutdown()
    }
}
