import Foundation
import HangarCore

/// Counts refused requests and writes them to the security log in the background,
/// aggregated: one row per window (a minute) and shape (caller, address, method, path
/// prefix, status, reason), with a count. At most `maxShapes` distinct shapes are kept per
/// flush; past that, refusals are counted under one `(other)` shape per address, so a
/// flood of distinct paths costs a bounded number of rows. Rows older than `keepDays`
/// are pruned. Nothing here touches the hash-chained audit log.
actor SecurityLog {
    struct Shape: Hashable {
        var windowStart: Date, actor: String, tokenID: String?, address: String
        var method: String, pathPrefix: String, status: Int, reason: String
    }

    static let window: TimeInterval = 60
    static let flushDelay: Duration = .seconds(2)
    static let maxShapes = 500

    private let service: HangarService
    private let keepDays: Int
    private var pending: [Shape: (count: Int, lastAt: Date)] = [:]
    private var flushScheduled = false
    private var lastPrune: Date?

    init(service: HangarService, keepDays: Int) {
        self.service = service
        self.keepDays = keepDays
    }

    /// Counts one refusal; a flush follows within `flushDelay`.
    func record(actor: String, tokenID: String?, address: String, method: String, path: String, status: Int, reason: String) {
        let now = service.now()
        let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / Self.window).rounded(.down) * Self.window)
        var shape = Shape(windowStart: start, actor: SecurityEvent.bounded(actor), tokenID: tokenID,
                          address: SecurityEvent.bounded(address), method: SecurityEvent.bounded(method),
                          pathPrefix: SecurityEvent.pathPrefix(path), status: status, reason: SecurityEvent.bounded(reason))
        if pending[shape] == nil && pending.count >= Self.maxShapes {
            (shape.pathPrefix, shape.reason, shape.actor, shape.tokenID) = ("(other)", "(other)", "(other)", nil)
        }
        let old = pending[shape]?.count ?? 0
        pending[shape] = (old + 1, now)
        if !flushScheduled {
            flushScheduled = true
            Task {
                try? await Task.sleep(for: Self.flushDelay)
                await self.flush()
            }
        }
    }

    /// Writes what is pending now (also called by tests) and prunes once an hour.
    func flush() async {
        flushScheduled = false
        let batch = pending
        pending = [:]
        let events = batch.map { shape, value in
            SecurityEvent(windowStart: shape.windowStart, actor: shape.actor, tokenID: shape.tokenID, address: shape.address,
                          method: shape.method, pathPrefix: shape.pathPrefix, status: shape.status, reason: shape.reason,
                          count: value.count, lastAt: value.lastAt)
        }
        do {
            try await service.metadata.recordSecurityEvents(events)
            let now = service.now()
            if lastPrune.map({ now.timeIntervalSince($0) > 3600 }) ?? true {
                lastPrune = now
                try await service.metadata.pruneSecurityEvents(before: now.addingTimeInterval(-Double(keepDays) * 86_400))
            }
        } catch {
            // The refusals were answered either way; losing their counts is logged, not fatal.
            FileHandle.standardError.write(Data("hangar: could not write the security log: \(error)\n".utf8))
        }
    }
}
