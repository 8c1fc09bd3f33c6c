import Foundation
import KeyhavenCrypto
import KeyhavenStorage

/// What `keyhaven keys rotate` did.
public struct KeyRotationReport: Sendable {
    public var newKeyID: String
    public var rewrapped: Int
    /// Data keys sealed under each master key after the run (all under the new one when it finished).
    public var dataKeysByMasterKey: [String: Int]
    /// Password hashes still peppered by each master key (re-hashed with the active key at each
    /// user's next sign-in). A master key is safe to retire from the key file only when it wraps
    /// no data key and peppers no password hash.
    public var passwordHashesByMasterKey: [String: Int]
}

/// Adds a master key, makes it active, and re-seals every user's data key under it in batches.
/// Item ciphertexts are untouched. A crash part-way leaves every data key readable (each is
/// re-sealed in its own transaction, and old keys stay in the file); running the command again
/// finishes the job under a newer key.
public func rotateMasterKey(configuration: Configuration, progress: @escaping (Int) -> Void = { _ in }) throws -> KeyRotationReport {
    var ring: KeyRing
    do {
        ring = try KeyRing.load(from: configuration.masterKeyFile)
    } catch {
        throw Configuration.Error(variable: "KEYHAVEN_MASTER_KEY_FILE", reason: "\(error)")
    }
    let database = try configuration.database.open()
    defer { database.close() }
    try Migrator.migrate(database)
    let newKey = ring.rotate()
    try ring.write(to: configuration.masterKeyFile)
    let repository = SQLUserKeyRepository(database: database)
    let rewrapped = try DataKeys(repository: repository, masterKeys: MasterKeys(ring: ring, path: nil)).rewrapAll(progress: progress)
    var hashes: [String: Int] = [:]
    try database.read { connection in
        for row in try connection.query("SELECT password_hash FROM users") {
            let parts = try row.string("password_hash").split(separator: "$", maxSplits: 2)
            if parts.count == 3 { hashes[String(parts[1]), default: 0] += 1 }
        }
    }
    return KeyRotationReport(
        newKeyID: newKey.id, rewrapped: rewrapped, dataKeysByMasterKey: try repository.countByKey(), passwordHashesByMasterKey: hashes)
}
