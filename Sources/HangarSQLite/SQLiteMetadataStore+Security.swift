import HangarCore
import Foundation
import GRDB

extension SQLiteMetadataStore {
    public func recordSecurityEvents(_ events: [SecurityEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write("cannot record \(events.count) security log rows") { db in
            for e in events {
                try db.execute(sql: """
                    INSERT INTO security_events (window_start, actor, token_id, address, method, path_prefix, status, reason, count, last_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (window_start, actor, token_id, address, method, path_prefix, status, reason)
                    DO UPDATE SET count = count + excluded.count, last_at = max(last_at, excluded.last_at)
                    """, arguments: try SQLiteRows.arguments([
                        SQLiteRows.ms(e.windowStart), e.actor, e.tokenID ?? "", e.address, e.method, e.pathPrefix,
                        e.status, e.reason, e.count, SQLiteRows.ms(e.lastAt),
                    ]))
            }
        }
    }

    public func securityEvents(since: Date, limit: Int) async throws -> [SecurityEvent] {
        try await read("cannot read the security log") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM security_events WHERE window_start >= ? ORDER BY window_start DESC, count DESC LIMIT ?
                """, arguments: try SQLiteRows.arguments([SQLiteRows.ms(since), limit])).map { row in
                let token: String = try row.decode(forColumn: "token_id")
                return SecurityEvent(
                    windowStart: try SQLiteRows.date(row, "window_start"), actor: try row.decode(forColumn: "actor"),
                    tokenID: token.isEmpty ? nil : token, address: try row.decode(forColumn: "address"),
                    method: try row.decode(forColumn: "method"), pathPrefix: try row.decode(forColumn: "path_prefix"),
                    status: try row.decode(forColumn: "status"), reason: try row.decode(forColumn: "reason"),
                    count: try row.decode(forColumn: "count"), lastAt: try SQLiteRows.date(row, "last_at"))
            }
        }
    }

    @discardableResult
    public func pruneSecurityEvents(before: Date) async throws -> Int {
        try await write("cannot prune the security log") { db in
            try db.execute(sql: "DELETE FROM security_events WHERE window_start < ?",
                           arguments: try SQLiteRows.arguments([SQLiteRows.ms(before)]))
            return db.changesCount
        }
    }
}
