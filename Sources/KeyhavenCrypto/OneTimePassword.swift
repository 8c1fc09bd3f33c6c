import COpenSSL

/// HOTP (RFC 4226) and TOTP (RFC 6238) codes.
public enum OneTimePassword {
    public enum Algorithm: Sendable {
        case sha1, sha256, sha512

        fileprivate var digest: OpaquePointer? {
            switch self {
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            case .sha512: EVP_sha512()
            }
        }
    }

    /// The HOTP value for `counter`, zero-padded to `digits`.
    public static func hotp(secret: [UInt8], counter: UInt64, digits: Int = 6, algorithm: Algorithm = .sha1) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { message[index] = UInt8(truncatingIfNeeded: counter >> UInt64(56 - index * 8)) }
        var mac = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let keyStorage = secret.isEmpty ? [0] : secret
        let result = keyStorage.withUnsafeBytes { key in
            HMAC(algorithm.digest, key.baseAddress, Int32(secret.count), message, message.count, &mac, &length)
        }
        precondition(result != nil && length >= 20, "HMAC for HOTP failed")
        // Dynamic truncation (RFC 4226 §5.3).
        let offset = Int(mac[Int(length) - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The time step containing `unixTime` (30-second steps from the epoch by default).
    public static func timeStep(at unixTime: Int64, period: Int64 = 30) -> Int64 { unixTime / period }

    /// The TOTP value at `unixTime`.
    public static func totp(
        secret: [UInt8], at unixTime: Int64, period: Int64 = 30, digits: Int = 6, algorithm: Algorithm = .sha1
    ) -> String {
        hotp(secret: secret, counter: UInt64(timeStep(at: unixTime, period: period)), digits: digits, algorithm: algorithm)
    }

    /// The step in `step - drift ... step + drift` whose code equals `code` (compared in constant
    /// time), or nil.
    public static func matchingStep(
        for code: String, secret: [UInt8], around step: Int64, drift: Int64 = 1, digits: Int = 6, algorithm: Algorithm = .sha1
    ) -> Int64? {
        var found: Int64?
        for candidate in (step - drift)...(step + drift) {
            let expected = hotp(secret: secret, counter: UInt64(max(0, candidate)), digits: digits, algorithm: algorithm)
            if constantTimeEquals(Array(expected.utf8), Array(code.utf8)) && found == nil { found = candidate }
        }
        return found
    }
}
