import CSQLite

/// One SQLite connection. Not thread-safe: the pool hands it to one thread at a time.
final class SQLiteConnection: DatabaseConnection, @unchecked Sendable {  // used by one thread at a time
    private let handle: OpaquePointer
    /// Prepared statements by SQL text, reused (reset) across calls: preparing costs more than
    /// running most of our queries.
    private var statements: [String: Prepared] = [:]
    private static let statementCacheLimit = 256

    init(path: String, readOnly: Bool) throws {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw DatabaseError.unavailable("cannot open SQLite database \(path): \(reason)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5000)
        // WAL lets readers work while the writer writes; FULL sync makes every commit durable;
        // secure_delete overwrites deleted secrets instead of leaving them in free pages.
        try executeScript(
            readOnly
                ? "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;"
                : """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
                PRAGMA secure_delete = ON;
                """)
    }

    deinit {
        for prepared in statements.values { sqlite3_finalize(prepared.statement) }
        sqlite3_close_v2(handle)
    }

    /// The raw handle, for the few SQLite APIs without a Swift wrapper here (online backup).
    func withHandle<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result { try body(handle) }

    func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard status == SQLITE_OK else {
            throw error(status, message.map { String(cString: $0) } ?? "")
        }
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        _ = try run(sql, parameters)
        return Int(sqlite3_changes(handle))
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try run(sql, parameters)
    }

    /// A prepared statement with what `run` would otherwise look up on every call.
    private struct Prepared {
        let statement: OpaquePointer
        /// Lower-case result column names.
        let names: [String]
        /// For each `$n` placeholder (n = offset + 1), its bind index, or 0 when unused.
        let parameterIndexes: [Int32]
    }

    private func prepared(_ sql: String) throws -> Prepared {
        if let prepared = statements[sql] { return prepared }
        if statements.count >= Self.statementCacheLimit {
            for prepared in statements.values { sqlite3_finalize(prepared.statement) }
            statements.removeAll()
        }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        let names = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)).lowercased() }
        // Placeholders are `$1`…`$n` (by name, so one may appear several times or out of order).
        var highest = 0
        for index in 0..<sqlite3_bind_parameter_count(statement) {
            if let name = sqlite3_bind_parameter_name(statement, index + 1), let number = Int(String(cString: name).dropFirst()) {
                highest = max(highest, number)
            }
        }
        let parameterIndexes = (0..<highest).map { sqlite3_bind_parameter_index(statement, "$\($0 + 1)") }
        let prepared = Prepared(statement: statement, names: names, parameterIndexes: parameterIndexes)
        statements[sql] = prepared
        return prepared
    }

    private func run(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        var rows: [Row] = []
        try step(sql, parameters) { prepared in
            var values: [SQLValue] = []
            values.reserveCapacity(prepared.names.count)
            for column in 0..<Int32(prepared.names.count) { values.append(value(prepared.statement, column)) }
            rows.append(Row(names: prepared.names, columns: values))
        }
        return rows
    }

    func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws {
        try step(sql, parameters) { prepared in try body(SQLiteRowColumns(statement: prepared.statement, count: prepared.names.count)) }
    }

    /// Prepares (or reuses) `sql`, binds, and calls `row` at each result row; the statement is
    /// reset afterwards whatever happens.
    private func step(_ sql: String, _ parameters: [SQLValue], _ row: (Prepared) throws -> Void) throws {
        let prepared = try prepared(sql)
        defer {
            sqlite3_reset(prepared.statement)
            sqlite3_clear_bindings(prepared.statement)
        }
        try bind(parameters, to: prepared)
        while true {
            let status = sqlite3_step(prepared.statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw error(status) }
            try row(prepared)
        }
    }

    private func bind(_ parameters: [SQLValue], to prepared: Prepared) throws {
        let statement = prepared.statement
        guard Int(sqlite3_bind_parameter_count(statement)) <= parameters.count, prepared.parameterIndexes.count <= parameters.count else {
            throw DatabaseError.statementFailed("statement has more placeholders than bound values")
        }
        for (offset, index) in prepared.parameterIndexes.enumerated() where index > 0 {
            let status: Int32
            switch parameters[offset] {
            case .integer(let value): status = sqlite3_bind_int64(statement, index, value)
            case .text(let value): status = sqlite3_bind_text(statement, index, value, -1, keyhaven_sqlite_transient())
            case .blob(let value):
                status = value.withUnsafeBytes {
                    sqlite3_bind_blob(
                        statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), keyhaven_sqlite_transient())
                }
            case .null: status = sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, column)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        case SQLITE_FLOAT: return .integer(Int64(sqlite3_column_double(statement, column)))
        default: return .null
        }
    }

    private func error(_ status: Int32, _ message: String? = nil) -> DatabaseError {
        switch status {
        case Int32(KEYHAVEN_SQLITE_CONSTRAINT_UNIQUE), Int32(KEYHAVEN_SQLITE_CONSTRAINT_PRIMARYKEY): return .uniqueViolation
        case Int32(KEYHAVEN_SQLITE_CONSTRAINT_FOREIGNKEY): return .foreignKeyViolation
        default:
            let text = message ?? String(cString: sqlite3_errmsg(handle))
            return .statementFailed("SQLite \(status): \(text)")
        }
    }
}

/// The current row of a stepping statement: pointers straight into SQLite's buffers, valid until
/// the next step.
private struct SQLiteRowColumns: RowColumns {
    let statement: OpaquePointer
    let count: Int

    private func type(of column: Int) throws -> Int32 {
        guard column >= 0, column < count else { throw DatabaseError.decoding("column \(column)") }
        return sqlite3_column_type(statement, Int32(column))
    }

    /// False for NULL; throws for a column of another type.
    private func check(_ column: Int, _ type: Int32) throws -> Bool {
        let actual = try self.type(of: column)
        if actual == SQLITE_NULL { return false }
        guard actual == type else { throw DatabaseError.decoding("column \(column)") }
        return true
    }

    func isNull(_ column: Int) throws -> Bool { try type(of: column) == SQLITE_NULL }

    func integer(_ column: Int) throws -> Int64 {
        guard try check(column, SQLITE_INTEGER) else { throw DatabaseError.decoding("column \(column)") }
        return sqlite3_column_int64(statement, Int32(column))
    }

    func text(_ column: Int) throws -> UnsafeRawBufferPointer? {
        guard try check(column, SQLITE_TEXT) else { return nil }
        // The pointer first, then the length (SQLite's documented order).
        let pointer = sqlite3_column_text(statement, Int32(column))
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, Int32(column))))
    }

    func blob(_ column: Int) throws -> UnsafeRawBufferPointer? {
        guard try check(column, SQLITE_BLOB) else { return nil }
        let pointer = sqlite3_column_blob(statement, Int32(column))
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, Int32(column))))
    }
}
