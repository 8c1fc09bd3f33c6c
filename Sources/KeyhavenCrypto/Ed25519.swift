import COpenSSL

/// Ed25519 signatures (RFC 8032), as used for `EdDSA` JWTs.
public enum Ed25519 {
    public static let seedByteCount = 32
    public static let publicKeyByteCount = 32
    public static let signatureByteCount = 64

    /// A signing key. `seed` is the 32-byte private key of RFC 8032.
    public final class PrivateKey: @unchecked Sendable {
        // EVP_PKEY is immutable after creation and OpenSSL allows concurrent use for signing.
        private let key: OpaquePointer

        public convenience init() {
            try! self.init(seed: SecureRandom.bytes(count: Ed25519.seedByteCount))
        }

        public init(seed: [UInt8]) throws {
            guard seed.count == Ed25519.seedByteCount else { throw CryptoError.invalidInput("Ed25519 seed must be 32 bytes") }
            guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
                throw openSSLError("Ed25519 private key")
            }
            self.key = key
        }

        deinit { EVP_PKEY_free(key) }

        public var seed: [UInt8] {
            var length = Ed25519.seedByteCount
            var output = [UInt8](repeating: 0, count: length)
            precondition(EVP_PKEY_get_raw_private_key(key, &output, &length) == 1)
            return output
        }

        public var publicKey: PublicKey {
            var length = Ed25519.publicKeyByteCount
            var output = [UInt8](repeating: 0, count: length)
            precondition(EVP_PKEY_get_raw_public_key(key, &output, &length) == 1)
            return try! PublicKey(rawRepresentation: output)
        }

        public func signature(for message: [UInt8]) throws -> [UInt8] {
            guard let context = EVP_MD_CTX_new() else { throw openSSLError("EVP_MD_CTX_new") }
            defer { EVP_MD_CTX_free(context) }
            var signature = [UInt8](repeating: 0, count: Ed25519.signatureByteCount)
            var length = signature.count
            guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
                EVP_DigestSign(context, &signature, &length, message, message.count) == 1
            else { throw openSSLError("Ed25519 sign") }
            return signature
        }
    }

    /// A verification key.
    public final class PublicKey: @unchecked Sendable {
        private let key: OpaquePointer
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation: [UInt8]) throws {
            guard rawRepresentation.count == Ed25519.publicKeyByteCount,
                let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawRepresentation, rawRepresentation.count)
            else { throw CryptoError.invalidInput("Ed25519 public key must be 32 valid bytes") }
            self.key = key
            self.rawRepresentation = rawRepresentation
        }

        deinit { EVP_PKEY_free(key) }

        /// True only for a valid signature of exactly this message.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            guard signature.count == Ed25519.signatureByteCount, let context = EVP_MD_CTX_new() else { return false }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
                ERR_clear_error()
                return false
            }
            let valid = EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
            ERR_clear_error()
            return valid
        }
    }
}
