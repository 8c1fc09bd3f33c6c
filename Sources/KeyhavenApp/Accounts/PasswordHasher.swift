import Foundation
import KeyhavenCrypto

/// Account password hashing as DESIGN.md describes: bcrypt (`$2b$`) over a pre-hash
/// `base64(HMAC-SHA256(pepper, NFC(password)))`, so every byte of a long password counts, NUL bytes
/// are harmless, and a stolen database alone cannot be attacked offline without the pepper.
///
/// Stored form: `kh1$<master key id>$<bcrypt hash>`. The pepper is derived (HKDF) from the named
/// master key, so rotating the key ring keeps old hashes verifiable; they are re-hashed with the
/// active key and cost at the next successful login.
struct PasswordHasher: Sendable {
    private let keys: MasterKeys
    let cost: Int
    private let dummyHash: String

    init(masterKeys: MasterKeys, cost: Int) throws {
        keys = masterKeys
        self.cost = cost
        // Verified against for unknown accounts, so that they cost one bcrypt like real ones.
        dummyHash = try Bcrypt.hash(Array(SecureRandom.token().utf8), cost: cost)
    }

    func hash(_ password: String) throws -> String {
        let key = keys.activeKey
        return "kh1$\(key.id)$" + (try Bcrypt.hash(try preHash(password, key: key), cost: cost))
    }

    func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", maxSplits: 2)
        guard parts.count == 3, parts[0] == "kh1", let key = keys.key(withID: String(parts[1])),
            let input = try? preHash(password, key: key)
        else { return false }
        return Bcrypt.verify(input, against: String(parts[2]))
    }

    /// Spends one bcrypt verification's worth of time and always fails.
    func verifyDummy(_ password: String) {
        _ = Bcrypt.verify(Array(password.utf8.prefix(64)), against: dummyHash)
    }

    /// True when the stored hash uses an older key or another cost.
    func needsRehash(_ stored: String) -> Bool {
        let parts = stored.split(separator: "$", maxSplits: 2)
        return parts.count != 3 || parts[1] != Substring(keys.activeKey.id) || Bcrypt.cost(of: String(parts[2])) != cost
    }

    private func preHash(_ password: String, key: KeyRing.Key) throws -> [UInt8] {
        let pepper = try HKDFSHA256.deriveKey(
            from: key.material, salt: Array("keyhaven".utf8), info: Array("password-pepper-v1".utf8), outputByteCount: 32)
        let normalized = password.precomposedStringWithCanonicalMapping
        let mac = HMACSHA256.authenticationCode(for: Array(normalized.utf8), key: pepper)
        return Array(Data(mac).base64EncodedString().utf8)
    }
}
