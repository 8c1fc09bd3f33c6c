import COpenSSL

/// HMAC-SHA256 (RFC 2104, FIPS 198-1).
public enum HMACSHA256 {
    public static let byteCount = 32

    /// The MAC of `message` under `key`. Any key length is allowed, as in RFC 2104.
    public static func authenticationCode(
        for message: some Collection<UInt8>, key: some Collection<UInt8>
    ) -> [UInt8] {
        // OpenSSL wants a non-null key pointer even for an empty key: keep one byte allocated.
        let keyBytes = Array(key)
        let keyStorage = keyBytes.isEmpty ? [0] : keyBytes
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let result = keyStorage.withUnsafeBytes { k in
            messageBytes.withUnsafeBytes { m in
                HMAC(
                    EVP_sha256(), k.baseAddress, Int32(keyBytes.count),
                    m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count, &output, &length)
            }
        }
        precondition(result != nil && length == UInt32(byteCount), "HMAC-SHA256 failed")
        return output
    }

    /// Checks a MAC in constant time.
    public static func isValidAuthenticationCode(
        _ code: some Collection<UInt8>, for message: some Collection<UInt8>, key: some Collection<UInt8>
    ) -> Bool {
        constantTimeEquals(authenticationCode(for: message, key: key), code)
    }
}
