/// PostgreSQL through a pool of libpq connections; several Keyhaven servers can share one.
public final class PostgresDatabase: Database {
    public let backend = DatabaseBackend.postgres
    private let pool: ConnectionPool<PostgresConnection>

    /// Connects lazily; `ping()` checks the server is reachable.
    public init(url: String, poolSize: Int = 10) {
        pool = ConnectionPool(capacity: poolSize, makeConnection: { try PostgresConnection(url: url) }, closeConnection: { _ in })
    }

    public func read<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result {
        try transaction(begin: "BEGIN TRANSACTION READ ONLY", body)
    }

    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try pool.withConnection { connection, discard in
            do {
                return try connection.query(sql, parameters)
            } catch {
                discard = !connection.isHealthy
                throw error
            }
        }
    }

    public func write<Result>(_ body: (any DatabaseConnection) throws -> Result) throws -> Result {
        try transaction(begin: "BEGIN", body)
    }

    public func ping() throws {
        _ = try read { try $0.query("SELECT 1 AS one") }
    }

    public var poolStatistics: PoolStatistics { pool.statistics }

    public func close() { pool.close() }

    private func transaction<Result>(begin: String, _ body: (any DatabaseConnection) throws -> Result) throws -> Result {
        try pool.withConnection { connection, discard in
            do {
                try connection.executeScript(begin)
                let result = try body(connection)
                try connection.executeScript("COMMIT")
                return result
            } catch {
                if connection.isHealthy { try? connection.executeScript("ROLLBACK") }
                discard = !connection.isHealthy
                throw error
            }
        }
    }
}
