/// A value bound to or read from SQL. Timestamps are stored as integer Unix seconds and
/// binary data as BLOB/BYTEA, so the same statements work on SQLite and PostgreSQL.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// One result row, by lower-case column name.
public struct Row: Sendable {
    public let values: [String: SQLValue]

    public init(values: [String: SQLValue]) { self.values = values }

    public func string(_ column: String) throws -> String {
        guard case .text(let value) = values[column] else { throw DatabaseError.decoding(column) }
        return value
    }

    public func optionalString(_ column: String) throws -> String? {
        if case .null = values[column] { return nil }
        return try string(column)
    }

    public func integer(_ column: String) throws -> Int64 {
        switch values[column] {
        case .integer(let value): return value
        case .text(let text): if let value = Int64(text) { return value }
        default: break
        }
        throw DatabaseError.decoding(column)
    }

    public func optionalInteger(_ column: String) throws -> Int64? {
        if case .null = values[column] ?? .null { return nil }
        return try integer(column)
    }

    public func bytes(_ column: String) throws -> [UInt8] {
        guard case .blob(let value) = values[column] else { throw DatabaseError.decoding(column) }
        return value
    }

    public func optionalBytes(_ column: String) throws -> [UInt8]? {
        if case .null = values[column] { return nil }
        return try bytes(column)
    }
}
