/// A value bound to or read from SQL. Timestamps are stored as integer Unix seconds and
/// binary data as BLOB/BYTEA, so the same statements work on SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// One result row. Column names are shared by every row of a result (no per-row dictionary:
/// building one per row was the largest cost of reading a page of items).
public struct Row: Sendable {
    private let names: [String]
    private let columns: [SQLValue]

    public init(names: [String], columns: [SQLValue]) {
        self.names = names
        self.columns = columns
    }

    /// The value of a lower-case column name (nil if there is no such column).
    public subscript(_ column: String) -> SQLValue? {
        guard let index = names.firstIndex(of: column) else { return nil }
        return columns[index]
    }

    /// The value of the column at `position` (SELECT order), nil past the last column.
    public func value(at position: Int) -> SQLValue? { columns.indices.contains(position) ? columns[position] : nil }

    /// Every column by name (tests and diagnostics).
    public var values: [String: SQLValue] { Dictionary(zip(names, columns), uniquingKeysWith: { first, _ in first }) }

    public func string(_ column: String) throws -> String {
        guard case .text(let value) = self[column] else { throw DatabaseError.decoding(column) }
        return value
    }

    public func optionalString(_ column: String) throws -> String? {
        if case .null = self[column] { return nil }
        return try string(column)
    }

    public func integer(_ column: String) throws -> Int64 {
        switch self[column] {
        case .integer(let value): return value
        case .text(let text): if let value = Int64(text) { return value }
        default: break
        }
        throw DatabaseError.decoding(column)
    }

    public func optionalInteger(_ column: String) throws -> Int64? {
        if case .null = self[column] ?? .null { return nil }
        return try integer(column)
    }

    public func bytes(_ column: String) throws -> [UInt8] {
        guard case .blob(let value) = self[column] else { throw DatabaseError.decoding(column) }
        return value
    }

    public func optionalBytes(_ column: String) throws -> [UInt8]? {
        if case .null = self[column] { return nil }
        return try bytes(column)
    }
}
