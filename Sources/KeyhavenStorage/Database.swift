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
    /// Runs a query and lends each row's columns to `body` without building `Row`s (the hot
    /// read paths). The columns are valid only until `body` returns.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws
}

extension DatabaseConnection {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [Row] { try query(sql, []) }

    /// For backends without a streaming cursor: fetch the rows, then lend copies.
    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws {
        try lendRows(try query(sql, parameters), to: body)
    }
}

/// A result row's columns by position (0-based, in SELECT order), lent to a callback. Text (UTF-8)
/// and blob buffers point into the driver's memory: valid only until the callback returns.
public protocol RowColumns {
    func integer(_ column: Int) throws -> Int64
    /// nil for NULL.
    func text(_ column: Int) throws -> UnsafeRawBufferPointer?
    /// nil for NULL.
    func blob(_ column: Int) throws -> UnsafeRawBufferPointer?
    func isNull(_ column: Int) throws -> Bool
}

/// Lends fetched rows as `RowColumns`; text and blobs are copied into buffers freed after each call.
func lendRows(_ rows: [Row], to body: (any RowColumns) throws -> Void) throws {
    for row in rows {
        let columns = CopiedRowColumns(row: row)
        defer { columns.release() }
        try body(columns)
    }
}

private final class CopiedRowColumns: RowColumns {
    let row: Row
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    init(row: Row) { self.row = row }

    func release() {
        buffers.forEach { $0.deallocate() }
        buffers = []
    }

    func integer(_ column: Int) throws -> Int64 {
        guard case .integer(let value) = row.value(at: column) else { throw DatabaseError.decoding("column \(column)") }
        return value
    }

    func isNull(_ column: Int) throws -> Bool {
        guard let value = row.value(at: column) else { throw DatabaseError.decoding("column \(column)") }
        return value == .null
    }

    func text(_ column: Int) throws -> UnsafeRawBufferPointer? {
        switch row.value(at: column) {
        case .text(let text): return copy(Array(text.utf8))
        case .null: return nil
        default: throw DatabaseError.decoding("column \(column)")
        }
    }

    func blob(_ column: Int) throws -> UnsafeRawBufferPointer? {
        switch row.value(at: column) {
        case .blob(let bytes): return copy(bytes)
        case .null: return nil
        default: throw DatabaseError.decoding("column \(column)")
        }
    }

    private func copy(_ bytes: [UInt8]) -> UnsafeRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        buffers.append(buffer)
        buffer.copyBytes(from: bytes)
        return UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count])
    }
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
    /// `DatabaseConnection.forEachRow` as one statement outside an explicit transaction, like `query`.
    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws
    /// Runs `body` with every read this thread makes through this database (`read`, `query`,
    /// `forEachRow`) in one read transaction: one consistent snapshot, and on SQLite one lock
    /// round instead of one per statement. Reads inside `body` do not see writes made inside
    /// it, so only code that reads, or writes nothing it reads back, belongs here. PostgreSQL
    /// runs `body` as is (each statement still sees the latest commits).
    func withReadSnapshot<Result>(_ body: () throws -> Result) throws -> Result
    /// Runs `body` inside a write transaction: committed if it returns, rolled back if it throws.
    @discardableResult
    func write<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result
    /// Checks that the database answers (for `/readyz`).
    func ping() throws
    var poolStatistics: PoolStatistics { get }
    /// Closes every connection; the database must not be used afterwards.
    func close()
}

extension Database {
    public func withReadSnapshot<Result>(_ body: () throws -> Result) throws -> Result { try body() }

    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws {
        try lendRows(try query(sql, parameters), to: body)
    }
}
