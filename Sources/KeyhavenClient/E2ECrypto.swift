public import KeyhavenCrypto

/// The end-to-end key scheme (byte for byte in the README, section "kh").
public enum E2E {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case malformedSecretKey
        case malformedEnvelope
        /// The envelope does not open with this key and AAD: wrong key, or tampered data.
        case cannotDecrypt(String)

        public var description: String {
            switch self {
            case .malformedSecretKey: return "that is not a Keyhaven Secret Key (A1-XXXXX-…, 26 letters and digits after A1)"
            case .malformedEnvelope: return "a stored value is not a kh1 envelope"
            case .cannotDecrypt(let what):
                return "cannot decrypt \(what): wrong password or Secret Key, or the data was tampered with"
            }
        }
    }

    /// 128 random bits, shown as `A1-` and 26 base32 characters in groups of five.
    public struct SecretKey: Sendable, Equatable, CustomStringConvertible {
        public let bytes: [UInt8]

        public static func generate() -> SecretKey { SecretKey(bytes: SecureRandom.bytes(count: 16)) }

        init(bytes: [UInt8]) { self.bytes = bytes }

        public init(parsing text: String) throws {
            let cleaned = text.uppercased().filter { $0.isLetter || $0.isNumber }
            guard cleaned.hasPrefix("A1"), let bytes = Base32.decode(String(cleaned.dropFirst(2))), bytes.count == 16 else {
                throw Failure.malformedSecretKey
            }
            self.bytes = bytes
        }

        /// `A1-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-X`.
        public var formatted: String {
            let encoded = Array(Base32.encode(bytes).filter { $0 != "=" })
            let groups = stride(from: 0, to: encoded.count, by: 5).map { String(encoded[$0..<min($0 + 5, encoded.count)]) }
            return "A1-" + groups.joined(separator: "-")
        }

        public var description: String { "SecretKey(redacted)" }
    }

    /// Master key = HKDF-SHA256(ikm = Argon2id(password, salt, parameters, 32 bytes),
    /// salt = the Secret Key's 16 bytes, info = "keyhaven e2e master key v1", 32 bytes).
    public static func masterKey(password: String, salt: [UInt8], parameters: Argon2id.Parameters, secretKey: SecretKey) throws
        -> SymmetricKey
    {
        let stretched = try Argon2id.deriveKey(from: Array(password.utf8), salt: salt, parameters: parameters, outputByteCount: 32)
        return try SymmetricKey(
            bytes: try HKDFSHA256.deriveKey(
                from: stretched, salt: secretKey.bytes, info: Array("keyhaven e2e master key v1".utf8), outputByteCount: 32))
    }

    /// `kh1.<base64url nonce>.<base64url ciphertext ‖ tag>` under AES-256-GCM with `aad`.
    public static func seal(_ plaintext: [UInt8], key: SymmetricKey, aad: String) throws -> String {
        let box = try AES256GCM.seal(plaintext, using: key, authenticating: Array(aad.utf8))
        return "kh1.\(Base64URL.encode(box.nonce)).\(Base64URL.encode(box.ciphertext + box.tag))"
    }

    public static func open(_ envelope: String, key: SymmetricKey, aad: String, what: String) throws -> [UInt8] {
        let parts = envelope.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "kh1", let nonce = Base64URL.decode(parts[1]), let sealed = Base64URL.decode(parts[2]),
            nonce.count == 12, sealed.count >= 16
        else { throw Failure.malformedEnvelope }
        do {
            let box = try AES256GCM.SealedBox(nonce: nonce, ciphertext: Array(sealed.dropLast(16)), tag: Array(sealed.suffix(16)))
            return try AES256GCM.open(box, using: key, authenticating: Array(aad.utf8))
        } catch {
            throw Failure.cannotDecrypt(what)
        }
    }

    /// AAD of a vault key wrapped under the master key (bound to the account: the vault's id is
    /// not known until the server creates it).
    static func vaultKeyAAD(userID: String) -> String { "keyhaven:vault-key:v1:\(userID)" }
    /// AAD of an item field: `<vault id>:<field name>`.
    static func fieldAAD(vaultID: String, field: String) -> String { "\(vaultID):\(field)" }
}
