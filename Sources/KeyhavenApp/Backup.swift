import Foundation
import KeyhavenStorage

/// `keyhaven backup FILE`: a consistent online copy of the embedded database, taken while the
/// server runs. PostgreSQL is backed up with its own tools (`pg_dump`; see the README).
public func backupDatabase(configuration: Configuration, to destination: String) throws {
    guard case .sqlite = configuration.database else {
        throw Configuration.Error(
            variable: "KEYHAVEN_DATABASE_URL",
            reason: "keyhaven backup copies the embedded SQLite database; back PostgreSQL up with pg_dump (see the README)")
    }
    let database = try configuration.database.open()
    defer { database.close() }
    guard let sqlite = database as? SQLiteDatabase else { return }
    try sqlite.backup(to: destination)
}
