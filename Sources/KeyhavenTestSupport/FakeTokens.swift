/// Format-valid *fake* tokens for tests, built at run time so no literal token sits in the source.
public enum FakeTokens {
    /// A GitHub-style token (`ghp_`, `npm_`, ...): `prefix` + `body` + the CRC32 of `body` in
    /// base62, six characters, as GitHub documents. Computed here bit by bit, independently of
    /// the scanner's table-driven validator.
    public static func checksummed(prefix: String, body: String) -> String {
        var crc: UInt32 = ~0
        for byte in Array(body.utf8) {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        crc = ~crc
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var digits = ""
        var value = Int(crc)
        repeat {
            digits = String(alphabet[value % 62]) + digits
            value /= 62
        } while value > 0
        return prefix + body + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
