import HangarCore
import Logging
import PostgresNIO

/// A value bound to a statement.
enum SQLValue: Sendable {
    case text(String)
    case int(Int64)
    case bool(Bool)
    case null
}

/// What can be bound to a `?` of a statement.
protocol SQLBindable: Sendable { var sqlValue: SQLValue { get } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .int(self) } }
extension Int: SQLBindable { var sqlValue: SQLValue { .int(Int64(self)) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .bool(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One connection (in a transaction or not) running statements written with `?`
/// placeholders, as the SQLite backend's are; they become `$1`, `$2`, … here.
struct SQL {
    let connection: PostgresConnection
    let logger: Logger

    /// The rows of `sql`.
    func query(_ sql: String, _ values: [any SQLBindable] = []) async throws -> [PostgresRandomAccessRow] {
        let rows = try await connection.query(try Self.statement(sql, values), logger: logger).collect()
        return rows.map { $0.makeRandomAccess() }
    }

    /// The first row of `sql`, or nil.
    func one(_ sql: String, _ values: [any SQLBindable] = []) async throws -> PostgresRandomAccessRow? {
        try await query(sql, values).first
    }

    /// Runs `sql`; returns how many rows it returned (write `RETURNING 1` to count changes).
    @discardableResult
    func execute(_ sql: String, _ values: [any SQLBindable] = []) async throws -> Int {
        try await query(sql, values).count
    }

    /// Whether `sql` (a `SELECT EXISTS (…)`) is true.
    func exists(_ sql: String, _ values: [any SQLBindable]) async throws -> Bool {
        try await one(sql, values)?[0].decode(Bool.self) ?? false
    }

    /// The statement with its placeholders numbered and its values bound. Text with a NUL
    /// character is refused: PostgreSQL cannot keep it, and it must not be cut silently.
    static func statement(_ sql: String, _ values: [any SQLBindable]) throws -> PostgresQuery {
        var text = ""
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                text += "$\(n)"
            } else {
                text.append(ch)
            }
        }
        precondition(n == values.count, "statement has \(n) placeholders for \(values.count) values: \(sql)")
        var binds = PostgresBindings()
        for value in values {
            switch value.sqlValue {
            case .text(let s):
                if s.utf8.contains(0) {
                    let shown = s.replacingOccurrences(of: "\0", with: "\\0")
                    throw HangarError.invalid("text '\(shown.prefix(200))' contains a NUL character, which the metadata store cannot keep")
                }
                binds.append(s)
            case .int(let i): binds.append(i)
            case .bool(let b): binds.append(b)
            case .null: binds.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}

extension PostgresRandomAccessRow {
    func string(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalString(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int64(_ column: String) throws -> Int64 { try self[column].decode(Int64.self) }
    func optionalInt64(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }
    func int(_ column: String) throws -> Int { Int(try int64(column)) }
    func optionalInt(_ column: String) throws -> Int? { try optionalInt64(column).map { Int($0) } }
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}
