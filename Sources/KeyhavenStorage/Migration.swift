import Foundation

/// A numbered schema change. Each backend has its own list (SQL dialects differ); versions only grow.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies pending migrations, each in its own transaction, and records them in
/// `schema_migrations`. Running it again applies nothing. On PostgreSQL an advisory lock makes
/// servers that start together take turns.
public enum Migrator {
    @discardableResult
    public static func migrate(_ database: any Database, migrations: [Migration]? = nil) throws -> [Migration] {
        let migrations = (migrations ?? Self.migrations(for: database.backend)).sorted { $0.version < $1.version }
        precondition(Set(migrations.map(\.version)).count == migrations.count, "duplicate migration version")
        var applied: [Migration] = []
        for migration in migrations {
            let didApply = try database.write { connection -> Bool in
                if database.backend == .postgres {
                    _ = try connection.query("SELECT pg_advisory_xact_lock(7157414) AS locked")
                }
                try connection.executeScript(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                    """)
                let existing = try connection.query("SELECT version FROM schema_migrations WHERE version = $1", [.integer(Int64(migration.version))])
                guard existing.isEmpty else { return false }
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.integer(Int64(migration.version)), .text(migration.name), .timestamp(Date())])
                return true
            }
            if didApply { applied.append(migration) }
        }
        return applied
    }

    /// Versions recorded as applied, ascending.
    public static func appliedVersions(_ database: any Database) throws -> [Int] {
        try database.read { connection in
            try connection.query("SELECT version FROM schema_migrations ORDER BY version").map { Int(try $0.integer("version")) }
        }
    }

    public static func migrations(for backend: DatabaseBackend) -> [Migration] {
        switch backend {
        case .sqlite: SQLiteMigrations.all
        case .postgres: PostgresMigrations.all
        }
    }
}
