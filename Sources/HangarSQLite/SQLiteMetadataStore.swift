import HangarCore
import Foundation
import GRDB

/// The embedded metadata backend: one SQLite file in WAL mode (the service keeps it
/// at `<store>/metadata.sqlite`), safe to share between threads and processes.
///
/// Every write runs in one `BEGIN IMMEDIATE` transaction (GRDB 7's default for
/// writes), so read-then-write transactions from several processes queue on the
/// write lock (waiting up to the busy timeout) instead of failing half-way. The
/// writer commits with `synchronous = FULL`, so a change is on disk before it is
/// acknowledged. A pointer may only name a candidate of its project, and approvals
/// and deployments only existing environments and candidates (foreign keys).
public final class SQLiteMetadataStore: MetadataStore {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// How long a write waits for another connection's write lock before failing.
    static let busyTimeout: TimeInterval = 10

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        config.foreignKeysEnabled = true
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            try SQLiteSchema.migrate(pool, path: path)
        } catch {
            throw Self.mapped(error, "cannot open metadata database \(path)")
        }
    }

    /// Runs `body` in one write transaction, mapping errors to `HangarError`s that
    /// start with `what` (e.g. "cannot create project acme/checkout").
    func write<T: Sendable>(_ what: @autoclosure () -> String,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.mapped(error, what())
        }
    }

    /// Runs `body` in a read transaction, mapping errors like `write`.
    func read<T: Sendable>(_ what: @autoclosure () -> String,
                           _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.mapped(error, what())
        }
    }

    /// Runs one statement without an explicit transaction (SQLite gives a single statement
    /// its own consistent snapshot), for the lookups every request makes: no BEGIN/COMMIT
    /// round, and `cached` statements are compiled once per connection.
    func readOne<T: Sendable>(_ what: @autoclosure () -> String,
                              _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.unsafeRead(body)
        } catch {
            throw Self.mapped(error, what())
        }
    }

    /// `HangarError`s and cancellations pass through; constraint violations become
    /// `conflict` (or `notFound` for a reference to something missing); the rest `io`.
    static func mapped(_ error: any Error, _ what: String) -> any Error {
        switch error {
        case is HangarError, is CancellationError:
            return error
        case let db as DatabaseError where db.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY:
            return HangarError(.notFound, "\(what): it refers to a project, environment, candidate or audit entry that does not exist", cause: db)
        case let db as DatabaseError where db.resultCode == .SQLITE_CONSTRAINT:
            return HangarError(.conflict, "\(what): \(db.message ?? "a constraint failed")", cause: db)
        case let db as DatabaseError where db.resultCode == .SQLITE_BUSY:
            return HangarError(.io, "\(what): the metadata database is locked by another process (waited \(Int(busyTimeout)) s)", cause: db)
        default:
            return HangarError(.io, what, cause: error)
        }
    }
}
