/// One connection, used by one thread at a time. Statements use `$1`, `$2`… placeholders on
/// both backends; values are always bound, never interpolated into SQL.
public protocol DatabaseConnection {
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int
    /// Runs a query and returns every row.
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
    /// Runs several statements with no parameters (migrations).
    func executeScript(_ sql: String) throws
}

extension DatabaseConnection {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [Row] { try query(sql, []) }
}

public enum DatabaseBackend: String, Sendable {
    case sqlite
    case postgres
}

/// Connection counts for `/metrics`.
public struct PoolStatistics: Sendable, Equatable {
    public var inUse: Int
    public var idle: Int
    public var capacity: Int
}

/// A database: SQLite (one writer, a pool of readers) or PostgreSQL (a pool of connections).
public protocol Database: Sendable {
    var backend: DatabaseBackend { get }
    /// Runs `body` on a connection inside a read transaction (a consistent snapshot).
    func read<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result
    /// Runs one query outside an explicit transaction (a single statement is atomic on its own):
    /// the hot single-row reads skip the BEGIN/COMMIT round trip.
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
    /// Runs `body` inside a write transaction: committed if it returns, rolled back if it throws.
    @discardableResult
    func write<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result
    /// Checks that the database answers (for `/readyz`).
    func ping() throws
    var poolStatistics: PoolStatistics { get }
    /// Closes every connection; the database must not be used afterwards.
    func close()
}
