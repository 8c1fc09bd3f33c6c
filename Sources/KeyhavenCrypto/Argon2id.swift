import CArgon2

/// Argon2id (RFC 9106) through the reference implementation.
public enum Argon2id {
    /// Parameters of one derivation; stored next to a salt so the same key can be derived again.
    public struct Parameters: Sendable, Equatable, Codable {
        public var iterations: UInt32
        public var memoryKiB: UInt32
        public var parallelism: UInt32

        public init(iterations: UInt32, memoryKiB: UInt32, parallelism: UInt32) {
            self.iterations = iterations
            self.memoryKiB = memoryKiB
            self.parallelism = parallelism
        }

        /// OWASP's recommended floor for Argon2id: 3 passes over 64 MiB.
        public static let recommended = Parameters(iterations: 3, memoryKiB: 65_536, parallelism: 1)
    }

    /// Derives `outputByteCount` bytes from a password and salt (raw Argon2id, version 0x13).
    public static func deriveKey(
        from password: [UInt8], salt: [UInt8], parameters: Parameters, outputByteCount: Int = 32
    ) throws -> [UInt8] {
        guard salt.count >= 8 else { throw CryptoError.argon2("salt must be at least 8 bytes") }
        var output = [UInt8](repeating: 0, count: outputByteCount)
        let status = argon2id_hash_raw(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            password, password.count, salt, salt.count, &output, outputByteCount)
        guard status == ARGON2_OK.rawValue else {
            throw CryptoError.argon2(String(cString: argon2_error_message(status)))
        }
        return output
    }
}
