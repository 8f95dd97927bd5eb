import HangarCore
import ServiceLifecycle

/// Follows the metadata store's change feed for as long as the server runs, so watchers
/// here wake when another server moves a pointer (nothing to do on a store without one).
struct ChangeFeedFollower: Service {
    let service: HangarService

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await service.followChanges() }
    }
}
