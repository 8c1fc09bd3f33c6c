import Foundation

/// Checks that a matched secret is well formed beyond what its regex says: a checksum, a
/// decodable structure, or (for generic assignments) a value that is not a reference or a word.
public enum Validator: String, Sendable, CaseIterable {
    /// GitHub's token formats (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`): the last six
    /// characters of the final `_`-separated part are the CRC32 of the rest of that part, in base62.
    case githubChecksum = "github-checksum"
    /// npm's `npm_` tokens use the same CRC32/base62 scheme as GitHub.
    case npmChecksum = "npm-checksum"
    /// PyPI API tokens: `pypi-` then a base64url macaroon whose location is `pypi.org`.
    case pypiMacaroon = "pypi-macaroon"
    /// A JSON Web Token: header and payload decode to JSON objects, the header names an `alg`.
    case jwt
    /// The value of a generic `password = ...` style assignment: not a placeholder, reference,
    /// identifier or file path.
    case assignmentValue = "assignment-value"

    /// - Parameter quoted: whether the secret stood inside quotes (a string literal, not a reference).
    public func accepts(_ secret: [UInt8], quoted: Bool = true) -> Bool {
        switch self {
        case .githubChecksum, .npmChecksum: return Checksums.base62CRC32Valid(secret)
        case .pypiMacaroon: return Self.isPyPIMacaroon(secret)
        case .jwt: return Self.isJWT(secret)
        case .assignmentValue: return AssignmentValue.looksLikeSecret(secret, quoted: quoted)
        }
    }

    static func isPyPIMacaroon(_ secret: [UInt8]) -> Bool {
        let prefix = Array("pypi-".utf8)
        guard secret.starts(with: prefix), let body = Base64.decodeURLSafe(secret.dropFirst(prefix.count)) else {
            return false
        }
        // Macaroon v2 (binary): version 2; a location field (type 1, length 8, "pypi.org"); an
        // identifier field (type 2); ...; and last the signature field (type 6, 32 bytes).
        let head = [2, 1, 8] + Array("pypi.org".utf8) + [2]
        return body.count >= head.count + 34 && body.starts(with: head) && body[body.count - 34] == 6
            && body[body.count - 33] == 32
    }

    static func isJWT(_ secret: [UInt8]) -> Bool {
        let parts = secret.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 5,
            let header = Base64.decodeURLSafe(parts[0]), let payload = Base64.decodeURLSafe(parts[1]),
            let headerObject = try? JSONSerialization.jsonObject(with: Data(header)) as? [String: Any],
            headerObject["alg"] is String,
            (try? JSONSerialization.jsonObject(with: Data(payload))) is [String: Any] || parts.count == 5
        else { return false }
        // An unsigned token ("alg": "none") carries no secret.
        return (headerObject["alg"] as? String)?.lowercased() != "none"
    }
}

enum Checksums {
    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// CRC-32 (IEEE 802.3, as zlib computes it).
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `value` in base62, left-padded with `0` to `width` characters.
    static func base62(_ value: UInt32, width: Int) -> [UInt8] {
        var digits: [UInt8] = []
        var remaining = UInt64(value)
        while remaining > 0 {
            digits.append(base62Alphabet[Int(remaining % 62)])
            remaining /= 62
        }
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return digits.reversed()
    }

    /// Whether the token's final `_`-separated part ends in the base62 CRC32 of the rest of it.
    static func base62CRC32Valid(_ token: [UInt8]) -> Bool {
        guard let separator = token.lastIndex(of: UInt8(ascii: "_")) else { return false }
        let part = token[(separator + 1)...]
        guard part.count > 6 else { return false }
        let body = part.dropLast(6)
        return Array(part.suffix(6)) == base62(crc32(body), width: 6)
    }
}

enum Base64 {
    /// Decodes base64 or base64url, padded or not; nil when malformed.
    static func decodeURLSafe(_ text: some Collection<UInt8>) -> [UInt8]? {
        var standard = text.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): return UInt8(ascii: "+")
            case UInt8(ascii: "_"): return UInt8(ascii: "/")
            default: return byte
            }
        }
        while let last = standard.last, last == UInt8(ascii: "=") { standard.removeLast() }
        guard standard.count % 4 != 1 else { return nil }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(standard)).map { Array($0) }
    }
}

/// Shannon entropy in bits per byte.
public func shannonEntropy(_ bytes: some Collection<UInt8>) -> Double {
    guard !bytes.isEmpty else { return 0 }
    var counts = [Int](repeating: 0, count: 256)
    for byte in bytes { counts[Int(byte)] += 1 }
    let total = Double(bytes.count)
    var entropy = 0.0
    for count in counts where count > 0 {
        let p = Double(count) / total
        entropy -= p * log2(p)
    }
    return entropy
}
