import CXCrypt
import Foundation

/// bcrypt (`$2b$`) through libxcrypt's reentrant `crypt_rn`.
///
/// bcrypt reads at most 72 bytes and stops at a NUL byte; callers that hash account passwords
/// pre-hash them (see DESIGN.md) so that neither limit applies to the user's real password.
public enum Bcrypt {
    public static let minimumCost = 4
    public static let maximumCost = 31

    /// Hashes `password` with a fresh salt at `cost` (log2 of the rounds).
    public static func hash(_ password: [UInt8], cost: Int) throws -> String {
        guard (minimumCost...maximumCost).contains(cost) else { throw CryptoError.bcrypt("cost out of range") }
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        // A nil random buffer makes libxcrypt draw the salt from the kernel itself.
        guard crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &setting, Int32(setting.count)) != nil else {
            throw CryptoError.bcrypt("crypt_gensalt_rn failed (errno \(errno))")
        }
        return try crypt(password, setting: setting.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Checks `password` against a stored hash in constant time. A malformed hash never verifies.
    public static func verify(_ password: [UInt8], against storedHash: String) -> Bool {
        guard storedHash.hasPrefix("$2"), let computed = try? crypt(password, setting: storedHash) else {
            return false
        }
        return constantTimeEquals(Array(computed.utf8), Array(storedHash.utf8))
    }

    /// The cost recorded in a stored hash (`$2b$12$...` → 12), or nil if it is not bcrypt.
    public static func cost(of storedHash: String) -> Int? {
        let parts = storedHash.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0].hasPrefix("2"), let cost = Int(parts[1]) else { return nil }
        return cost
    }

    private static func crypt(_ password: [UInt8], setting: String) throws -> String {
        guard !password.contains(0) else { throw CryptoError.bcrypt("password contains a NUL byte") }
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)  // ~32 KiB: keep it off the stack
        defer {
            memset(data, 0, MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        let phrase = password.map { CChar(bitPattern: $0) } + [0]
        guard let result = crypt_rn(phrase, setting, data, Int32(MemoryLayout<crypt_data>.size)) else {
            throw CryptoError.bcrypt("crypt_rn failed (errno \(errno))")
        }
        let hashed = String(cString: result)
        // libxcrypt signals failure with a token starting with '*'.
        guard !hashed.hasPrefix("*") else { throw CryptoError.bcrypt("invalid setting") }
        return hashed
    }
}
