import CSQLite
import Foundation

/// SQLite in WAL mode: one writer connection (SQLite allows one writer at a time anyway, so
/// writers queue on a lock instead of spinning on SQLITE_BUSY) and a pool of read-only readers
/// that never block the writer.
public final class SQLiteDatabase: Database, @unchecked Sendable {  // `writer` is guarded by `writeLock`
    public let backend = DatabaseBackend.sqlite
    public let path: String
    private let writeLock = NSLock()
    private var writer: SQLiteConnection?
    private let readers: ConnectionPool<SQLiteConnection>

    public init(path: String, readerCount: Int = 4) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let writer = try SQLiteConnection(path: path, readOnly: false)
        // The database holds secrets (wrapped keys, hashes): owner-only, as are its WAL files.
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
        self.writer = writer
        readers = ConnectionPool(
            capacity: readerCount, makeConnection: { try SQLiteConnection(path: path, readOnly: true) },
            closeConnection: { _ in })
        try readers.fill()
    }

    public func read<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result {
        try withReader { connection, pinned in
            // A pinned reader is already inside the snapshot's transaction.
            pinned ? try body(connection) : try Self.transaction(on: connection, begin: "BEGIN", body)
        }
    }

    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try withReader { connection, _ in try connection.query(sql, parameters) }
    }

    public func forEachRow(_ sql: String, _ parameters: [SQLValue], _ body: (any RowColumns) throws -> Void) throws {
        try withReader { connection, _ in try connection.forEachRow(sql, parameters, body) }
    }

    /// The reader this thread pinned with `withReadSnapshot`, or one from the pool for the call.
    private func withReader<Result>(_ body: (SQLiteConnection, _ pinned: Bool) throws -> Result) throws -> Result {
        if let pinned = PinnedReader.current(for: self) { return try body(pinned, true) }
        return try readers.withConnection { connection, _ in try body(connection, false) }
    }

    public func withReadSnapshot<Result>(_ body: () throws -> Result) throws -> Result {
        if PinnedReader.current(for: self) != nil { return try body() }  // already inside one
        return try readers.withConnection { connection, _ in
            try Self.transaction(on: connection, begin: "BEGIN") { _ in
                let outer = PinnedReader.pin(connection, for: self)
                defer { PinnedReader.unpin(restoring: outer) }
                return try body()
            }
        }
    }

    public func write<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard let writer else { throw DatabaseError.unavailable("the database has been closed") }
        return try Self.transaction(on: writer, begin: "BEGIN IMMEDIATE", body)
    }

    public func ping() throws {
        _ = try read { try $0.query("SELECT 1 AS one") }
    }

    public var poolStatistics: PoolStatistics {
        var statistics = readers.statistics
        statistics.capacity += 1  // the writer
        statistics.idle += 1
        return statistics
    }

    public func close() {
        readers.close()
        writeLock.lock()
        writer = nil
        writeLock.unlock()
    }

    /// Copies the live database to `destination` with SQLite's online backup API, from one read
    /// snapshot: writers keep working (WAL), and the copy holds exactly what was committed when
    /// the backup began. The file is written next to `destination` and renamed into place, mode 0600.
    public func backup(to destination: String) throws {
        let temporary = destination + ".partial"
        unlink(temporary)
        var target: OpaquePointer?
        guard sqlite3_open_v2(temporary, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let target else {
            sqlite3_close_v2(target)
            throw DatabaseError.unavailable("cannot create \(temporary)")
        }
        chmod(temporary, 0o600)
        defer { sqlite3_close_v2(target) }
        try readers.withConnection { connection, _ in
            try connection.withHandle { source in
                guard let backup = sqlite3_backup_init(target, "main", source, "main") else {
                    throw DatabaseError.statementFailed("backup: \(String(cString: sqlite3_errmsg(target)))")
                }
                let status = sqlite3_backup_step(backup, -1)  // every page in one step: one snapshot
                sqlite3_backup_finish(backup)
                guard status == SQLITE_DONE else { throw DatabaseError.statementFailed("backup step failed (\(status))") }
            }
        }
        // The copy is a plain rollback-journal database; check it before it replaces anything.
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(target, "PRAGMA integrity_check", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw DatabaseError.statementFailed("cannot check the backup")
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, String(cString: sqlite3_column_text(statement, 0)) == "ok" else {
            throw DatabaseError.statementFailed("the backup failed its integrity check")
        }
        guard rename(temporary, destination) == 0 else { throw DatabaseError.unavailable("cannot move the backup to \(destination)") }
    }

    private static func transaction<Result>(
        on connection: SQLiteConnection, begin: String, _ body: (any DatabaseConnection) throws -> Result
    ) throws -> Result {
        try connection.execute(begin)
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }
}

/// The reader a thread has pinned with `withReadSnapshot`, kept in one process-wide pthread key
/// (keys are few; databases are many in tests) together with the database it belongs to.
private enum PinnedReader {
    private final class Pin {
        let database: ObjectIdentifier
        let connection: SQLiteConnection
        init(database: ObjectIdentifier, connection: SQLiteConnection) {
            self.database = database
            self.connection = connection
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()

    static func current(for database: SQLiteDatabase) -> SQLiteConnection? {
        guard let raw = pthread_getspecific(key) else { return nil }
        let pin = Unmanaged<Pin>.fromOpaque(raw).takeUnretainedValue()
        return pin.database == ObjectIdentifier(database) ? pin.connection : nil
    }

    /// Returns the pin it shadows (another database's), to hand back to `unpin`.
    static func pin(_ connection: SQLiteConnection, for database: SQLiteDatabase) -> UnsafeMutableRawPointer? {
        let outer = pthread_getspecific(key)
        let pin = Pin(database: ObjectIdentifier(database), connection: connection)
        pthread_setspecific(key, Unmanaged.passRetained(pin).toOpaque())
        return outer
    }

    static func unpin(restoring outer: UnsafeMutableRawPointer?) {
        guard let raw = pthread_getspecific(key) else { return }
        pthread_setspecific(key, outer)
        Unmanaged<Pin>.fromOpaque(raw).release()
    }
}
