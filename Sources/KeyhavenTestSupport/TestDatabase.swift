import Foundation
public import KeyhavenStorage

/// A throwaway database for one test: a fresh SQLite file in a temporary directory, or a fresh
/// schema in the PostgreSQL named by `KEYHAVEN_TEST_POSTGRES_URL`. Call `drop()` when done.
public final class TestDatabase: Sendable {
    public let database: any Database
    public let location: DatabaseLocation
    private let cleanup: @Sendable () -> Void

    /// The backends available to this run. PostgreSQL is included when
    /// `KEYHAVEN_TEST_POSTGRES_URL` is set (`make test` always sets it).
    public static var backends: [DatabaseBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public static var postgresURL: String? { ProcessInfo.processInfo.environment["KEYHAVEN_TEST_POSTGRES_URL"] }

    /// True when the run demands PostgreSQL (`KEYHAVEN_REQUIRE_POSTGRES=1`, set by `make test`):
    /// then a missing PostgreSQL is a failure, not a skip.
    public static var postgresRequired: Bool { ProcessInfo.processInfo.environment["KEYHAVEN_REQUIRE_POSTGRES"] == "1" }

    /// Creates and migrates a fresh database.
    public static func make(_ backend: DatabaseBackend, migrate: Bool = true) throws -> TestDatabase {
        let test = try makeEmpty(backend)
        if migrate { try Migrator.migrate(test.database) }
        return test
    }

    public static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "keyhaven-test-\(UUID().uuidString.lowercased())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private static func makeEmpty(_ backend: DatabaseBackend) throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let directory = temporaryDirectory()
            let location = DatabaseLocation.sqlite(path: directory + "/keyhaven.db")
            return TestDatabase(database: try location.open(), location: location) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        case .postgres:
            guard let url = postgresURL else { throw DatabaseError.unavailable("KEYHAVEN_TEST_POSTGRES_URL is not set") }
            let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = PostgresDatabase(url: url, poolSize: 1)
            try admin.write { try $0.executeScript("CREATE SCHEMA \(schema)") }
            let separator = url.contains("?") ? "&" : "?"
            let location = DatabaseLocation.postgres(url: url + separator + "options=-csearch_path%3D\(schema)")
            let database = try location.open(poolSize: 8)
            return TestDatabase(database: database, location: location) {
                database.close()
                _ = try? admin.write { try $0.executeScript("DROP SCHEMA \(schema) CASCADE") }
                admin.close()
            }
        }
    }

    private init(database: any Database, location: DatabaseLocation, cleanup: @escaping @Sendable () -> Void) {
        self.database = database
        self.location = location
        self.cleanup = cleanup
    }

    public func drop() {
        database.close()
        cleanup()
    }
}
