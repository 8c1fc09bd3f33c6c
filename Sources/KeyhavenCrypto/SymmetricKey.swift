/// A 256-bit secret key. Its bytes never appear in `description` or in logs.
public struct SymmetricKey: Sendable, Equatable, CustomStringConvertible {
    public static let byteCount = 32

    /// The raw key bytes. Only crypto code should read them.
    public let bytes: [UInt8]

    /// Wraps existing key material; throws unless it is exactly 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.byteCount else {
            throw CryptoError.invalidInput("a symmetric key must be \(Self.byteCount) bytes")
        }
        self.bytes = bytes
    }

    /// A fresh random key.
    public static func generate() -> SymmetricKey {
        // Force-try is safe: the length is right by construction.
        try! SymmetricKey(bytes: SecureRandom.bytes(count: byteCount))
    }

    public static func == (lhs: SymmetricKey, rhs: SymmetricKey) -> Bool {
        constantTimeEquals(lhs.bytes, rhs.bytes)
    }

    public var description: String { "SymmetricKey(redacted)" }
}
