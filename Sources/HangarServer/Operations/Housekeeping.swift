import HangarCore
import Logging
import ServiceLifecycle

/// What `hangar serve` does in the background, every `interval` (and once at start):
/// abandons upload sessions idle past their limit and sweeps what killed writes left
/// in the blob store's temporary area. Ends with the server (graceful shutdown).
struct Housekeeping: Service {
    let uploads: UploadSessions
    let blobs: any BlobStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            await once()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled: the server is stopping
            }
        }
    }

    /// One round; failures are logged, and the next round tries again.
    func once() async {
        do {
            let sessions = try await uploads.sweep()
            let leftovers = try await blobs.sweepTemporary(maxAge: 86_400)
            if sessions > 0 || leftovers.removed > 0 {
                logger.info("housekeeping", metadata: [
                    "abandoned_sessions": .stringConvertible(sessions), "leftovers_removed": .stringConvertible(leftovers.removed),
                    "leftover_bytes": .stringConvertible(leftovers.bytes),
                ])
            }
        } catch {
            logger.error("housekeeping failed", metadata: ["error": .string("\(error)")])
        }
    }
}
