import Foundation
import HangarCore
import Logging
import PostgresNIO

/// The shared metadata backend: one PostgreSQL database that any number of `hangar serve`
/// processes use at once.
///
/// Correctness does not rest on one writer. Every write that appends to the audit chain
/// runs in one transaction that first locks the chain's head row (`audit_head`, `FOR
/// UPDATE`): such writes, from any server, take their turn, and each sees everything the
/// one before it committed (READ COMMITTED reads the latest commit at each statement). On
/// top of that the rules live in the database: the pointer compare-and-swap is the UPDATE
/// itself (`… AND generation = $expected`), uniqueness is UNIQUE constraints, references are
/// foreign keys. Reads of several rows run in one REPEATABLE READ, READ ONLY transaction:
/// one snapshot.
public final class PostgresMetadataStore: MetadataStore, @unchecked Sendable {
    /// The database, as given, without its password.
    public let location: String
    let client: PostgresClient
    let logger: Logger
    /// How long one operation may wait for the database before it is `unavailable`.
    let operationTimeout: Duration
    private let runner: Task<Void, Never>

    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, the password
    /// also from `PGPASSWORD`) and brings the schema up to date; `unavailable` when the
    /// database cannot be reached within `connectTimeout`.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                connectTimeout: Duration = .seconds(15), operationTimeout: Duration = .seconds(15)) async throws {
        self.operationTimeout = operationTimeout
        let target = try PostgresLocation(url, environment: environment)
        location = target.shown
        var configuration = PostgresClient.Configuration(host: target.host, port: target.port, username: target.user,
                                                         password: target.password, database: target.database, tls: .disable)
        configuration.options.maximumConnections = 16
        var logger = Logger(label: "hangar.postgres")
        logger.logLevel = .error
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do {
            // Reachable within the connect timeout; migrating a new database (a few dozen
            // statements) may take longer on a loaded machine.
            try await transaction("cannot reach the metadata database \(location)", isolation: nil, timeout: connectTimeout) { sql in
                try await sql.execute("SELECT 1")
            }
            try await transaction("cannot prepare the metadata database \(location)", isolation: nil, timeout: .seconds(300)) { sql in
                try await PostgresSchema.migrate(sql)
            }
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit { runner.cancel() }

    /// Runs `body` in one write transaction. With `audited` (the default) the audit chain's
    /// head is locked first, so such writes take turns across every server.
    func write<T: Sendable>(_ what: @autoclosure () -> String, audited: Bool = true,
                            _ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        try await transaction(what(), isolation: nil) { sql in
            if audited { try await sql.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE") }
            return try await body(sql)
        }
    }

    /// Runs `body` in a read-only transaction on one snapshot.
    func read<T: Sendable>(_ what: @autoclosure () -> String, _ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        try await transaction(what(), isolation: "REPEATABLE READ, READ ONLY", body)
    }

    /// Runs one statement's worth of reading outside an explicit transaction.
    func readOne<T: Sendable>(_ what: @autoclosure () -> String, _ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        let (logger, client) = (logger, client)
        return try await bounded(what()) {
            try await client.withConnection { connection in try await body(SQL(connection: connection, logger: logger)) }
        }
    }

    private func transaction<T: Sendable>(_ what: String, isolation: String?, timeout: Duration? = nil,
                                          _ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        let (logger, client) = (logger, client)
        return try await bounded(what, timeout: timeout) {
            try await client.withTransaction(logger: logger) { connection in
                let sql = SQL(connection: connection, logger: logger)
                if let isolation { try await sql.execute("SET TRANSACTION ISOLATION LEVEL \(isolation)") }
                return try await body(sql)
            }
        }
    }

    /// Runs `operation`, mapping its errors; `unavailable` when the database has not answered
    /// within `operationTimeout` (the operation is cancelled: a transaction rolls back).
    private func bounded<T: Sendable>(_ what: String, timeout: Duration? = nil,
                                      _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = timeout ?? operationTimeout
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw HangarError(.unavailable, "\(what): the metadata database did not answer within \(timeout.components.seconds) s",
                                      retryAfter: 5)
                }
                return value
            }
        } catch {
            throw Self.mapped(error, what)
        }
    }

    /// `HangarError`s and cancellations pass through; constraint violations become
    /// `conflict` (or `notFound` for a reference to something missing); an unreachable
    /// database `unavailable`; the rest `io`.
    static func mapped(_ error: any Error, _ what: String) -> any Error {
        if error is HangarError || error is CancellationError { return error }
        if let transaction = error as? PostgresTransactionError {
            return mapped(transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error, what)
        }
        if String(describing: type(of: error)).contains("ConnectionPoolError") {
            return HangarError(.unavailable, "\(what): the metadata database cannot be reached", cause: error, retryAfter: 5)
        }
        guard let psql = error as? PSQLError else { return HangarError(.io, what, cause: error) }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let message = psql.serverInfo?[.message] ?? "\(psql.code)"
        switch state {
        case "23503":
            return HangarError(.notFound, "\(what): it refers to a project, environment, candidate or audit entry that does not exist", cause: psql)
        case "23505", "23514", "40001", "40P01":
            return HangarError(.conflict, "\(what): \(message)", cause: psql)
        case "":
            return HangarError(.unavailable, "\(what): the metadata database cannot be reached (\(psql.code))", cause: psql, retryAfter: 5)
        default:
            return HangarError(.io, "\(what): \(message) (SQLSTATE \(state))", cause: psql)
        }
    }
}

/// A `postgres://` URL taken apart.
struct PostgresLocation {
    var user: String
    var password: String?
    var host: String
    var port: Int
    var database: String

    /// The URL without its password, for messages.
    var shown: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    init(_ url: String, environment: [String: String]) throws {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme?.lowercased() ?? ""),
              let host = parts.host, !host.isEmpty else {
            throw HangarError.invalid("--metadata '\(url.prefix(200))' is not a postgres://USER@HOST[:PORT]/DATABASE URL")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw HangarError.invalid("--metadata '\(url.prefix(200))' names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(parts.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw HangarError.invalid("--metadata '\(url.prefix(200))' names no database (postgres://USER@HOST/DATABASE)")
        }
        self.user = user
        self.password = parts.password ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.host = host
        self.port = parts.port ?? 5432
        self.database = database
    }
}
