import HangarCore
import PostgresNIO

/// The change feed over LISTEN/NOTIFY: a pointer move or a report notifies the channel in
/// its own transaction, so PostgreSQL delivers it to every listening server when (and only
/// if) the change commits.
extension PostgresMetadataStore: ChangeFeed {
    static let changeChannel = "hangar_changes"

    public func followChanges(_ changed: @escaping @Sendable (String) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.changeChannel) { notifications in
                for try await notification in notifications { changed(notification.payload) }
            }
        }
    }

    /// Tells every listener, at commit, that `project` changed.
    static func notifyChanged(_ project: String, in sql: SQL) async throws {
        try await sql.execute("SELECT pg_notify(?, ?)", [changeChannel, project])
    }
}
