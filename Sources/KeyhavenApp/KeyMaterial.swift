import Foundation
public import KeyhavenCrypto

/// The key rings the server needs, loaded (or, on a fresh install, generated) at start-up.
public struct KeyMaterial: Sendable {
    /// Key-encryption keys for data at rest (envelope encryption; see DESIGN.md).
    public let masterKeys: KeyRing
    /// Ed25519 seeds for signing access tokens, by `kid`.
    public let tokenSigningKeys: KeyRing

    /// Loads both rings. A missing file is generated (mode 0600) unless `freshInstall` is false in
    /// production: a server with existing data and no keys must stop, not mint new keys that
    /// cannot decrypt what is stored.
    static func load(configuration: Configuration, freshInstall: Bool, logger: Logger) throws -> KeyMaterial {
        let mayGenerate = configuration.generatesMissingKeys || freshInstall
        func ring(_ path: String, variable: String) throws -> KeyRing {
            do {
                let (ring, created) = try KeyRing.loadOrGenerate(at: path, generateIfMissing: mayGenerate)
                if created { logger.warning("generated a new key file; back it up", ["path": .string(path)]) }
                return ring
            } catch let error as CryptoError {
                guard case .keyRing(let reason) = error else { throw error }
                let hint = mayGenerate ? "" : " (in production a missing key file is not regenerated once data exists; restore it from backup)"
                throw Configuration.Error(variable: variable, reason: reason + hint)
            }
        }
        return KeyMaterial(
            masterKeys: try ring(configuration.masterKeyFile, variable: "KEYHAVEN_MASTER_KEY_FILE"),
            tokenSigningKeys: try ring(configuration.jwtKeyFile, variable: "KEYHAVEN_JWT_KEY_FILE"))
    }
}
