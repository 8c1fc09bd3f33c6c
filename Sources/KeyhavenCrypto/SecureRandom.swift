import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded by the kernel).
public enum SecureRandom {
    /// Returns `count` random bytes. Traps if the RNG fails: continuing without randomness
    /// would silently produce predictable keys, nonces and tokens.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0)
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let status = output.withUnsafeMutableBufferPointer {
            RAND_bytes($0.baseAddress, Int32($0.count))
        }
        precondition(status == 1, "RAND_bytes failed: the system random generator is unavailable")
        return output
    }

    /// A random token of `byteCount` bytes, base64url without padding (URL- and header-safe).
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(count: byteCount))
    }
}
