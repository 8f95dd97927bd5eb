import Foundation
import HangarCore
import Logging
import ServiceLifecycle

/// What `hangar serve` does in the background, every `interval` (and once at start):
/// abandons upload sessions idle past their limit and sweeps what killed writes left
/// in the blob store's temporary area; every `collectEvery`, collects garbage by the
/// projects' retention rules. Ends with the server (graceful shutdown).
struct Housekeeping: Service {
    let uploads: UploadSessions
    let service: HangarService
    var blobs: any BlobStore { service.blobs }
    /// How often garbage is collected (nil: never), and the grace period of a collection.
    let collectEvery: Duration?
    let collectionGrace: TimeInterval
    let interval: Duration
    /// How often every blob is re-read and checked (nil: never).
    let scrubEvery: Duration?
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        var lastScrub = ContinuousClock.now, lastCollection = ContinuousClock.now
        while !Task.isCancelled {
            await once()
            if let every = collectEvery, ContinuousClock.now - lastCollection >= every {
                lastCollection = .now
                await collect()
            }
            if let every = scrubEvery, ContinuousClock.now - lastScrub >= every {
                lastScrub = .now
                await scrub()
            }
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

    /// One collection, as the server itself; logged with what it freed.
    func collect() async {
        do {
            let report = try await service.acting(as: .local("hangar serve (collector)"))
                .collectGarbage(dryRun: false, project: nil, grace: collectionGrace, progress: nil)
            logger.info("garbage collected", metadata: [
                "candidates": .stringConvertible(report.candidates.count), "manifests": .stringConvertible(report.manifests.count),
                "blobs": .stringConvertible(report.blobs.count), "bytes": .stringConvertible(report.bytes),
            ])
        } catch {
            logger.error("garbage collection failed", metadata: ["error": .string("\(error)")])
        }
    }

    /// Re-reads every blob (every `scrubEvery`): each one that no longer matches its digest
    /// loses its seal, so it is never sent unchecked again, and is logged as critical and
    /// counted (`hangar_blob_integrity_failures_total`).
    func scrub() async {
        do {
            let report = try await Scrubber(store: blobs).run()
            for problem in report.problems {
                metrics.corruptBlobServed()
                logger.critical("scrub: a stored blob fails its check", metadata: ["digest": .string("\(problem.digest)"),
                                                                                 "problem": .string(problem.message)])
            }
            logger.info("scrub done", metadata: ["blobs": .stringConvertible(report.checked), "problems": .stringConvertible(report.problems.count)])
        } catch {
            logger.error("scrub failed", metadata: ["error": .string("\(error)")])
        }
    }
}
