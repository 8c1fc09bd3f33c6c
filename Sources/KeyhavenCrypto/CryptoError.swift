/// Errors raised by the crypto layer. None of them carries key material or plaintext.
public enum CryptoError: Error, Equatable, Sendable {
    /// An OpenSSL call failed; the string names the operation and OpenSSL's reason.
    case openssl(String)
    /// A ciphertext, tag or signature did not verify (tampered, wrong key or wrong AAD).
    case authenticationFailed
    /// Input of the wrong size or shape (key length, nonce length, malformed encoding).
    case invalidInput(String)
    /// libxcrypt refused to hash (bad setting or cost).
    case bcrypt(String)
    /// libargon2 refused to hash.
    case argon2(String)
    /// A key ring file is missing, unreadable, malformed or too widely readable.
    case keyRing(String)
}
