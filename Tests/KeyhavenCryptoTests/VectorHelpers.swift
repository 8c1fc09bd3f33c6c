@testable import KeyhavenCrypto

/// Parses a hex test vector, ignoring spaces; traps on bad input (test data only).
func hex(_ text: String) -> [UInt8] {
    let compact = text.filter { !$0.isWhitespace }
    return [UInt8](hexString: compact)!
}
