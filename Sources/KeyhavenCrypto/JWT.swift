public import Foundation

/// Compact JWS tokens (RFC 7515/7519) signed with Ed25519 (`alg: EdDSA`), verified by the rules
/// of RFC 8725: the algorithm is fixed by the key (never read from the token to choose one),
/// `none` and every other algorithm are refused, key-carrying headers (`jku`, `jwk`, `x5u`,
/// `x5c`) and unknown critical extensions are refused, `kid` must name a key we hold.
public enum JWT {
    /// Why a token was refused. Callers map every case to one 401; the case is for logs and tests.
    public enum VerificationError: Error, Equatable, Sendable {
        case malformed
        case unsupportedAlgorithm
        case forbiddenHeader(String)
        case wrongType
        case unknownKey
        case badSignature
        case wrongIssuer
        case wrongAudience
        case expired
        case notYetValid
        case missingClaim(String)
    }

    /// The claims of a Keyhaven access token.
    public struct Claims: Codable, Sendable, Equatable {
        public var sub: String
        public var sid: String
        public var iat: Int64
        public var exp: Int64
        public var nbf: Int64?
        public var iss: String
        public var aud: Audience
        public var jti: String

        public init(sub: String, sid: String, iat: Int64, exp: Int64, nbf: Int64? = nil, iss: String, aud: String, jti: String) {
            self.sub = sub
            self.sid = sid
            self.iat = iat
            self.exp = exp
            self.nbf = nbf
            self.iss = iss
            self.aud = Audience(values: [aud])
            self.jti = jti
        }
    }

    /// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
    public struct Audience: Codable, Sendable, Equatable {
        public var values: [String]

        public init(values: [String]) { self.values = values }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                values = [single]
            } else {
                values = try container.decode([String].self)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if values.count == 1 { try container.encode(values[0]) } else { try container.encode(values) }
        }
    }

    /// The `typ` of access tokens (RFC 9068), so no other JWT we might mint is taken for one.
    public static let accessTokenType = "at+jwt"

    /// Signs `claims` with the ring's active Ed25519 key, naming it in `kid`.
    public static func sign(_ claims: Claims, keys: KeyRing) throws -> String {
        let active = keys.activeKey
        let header = #"{"alg":"EdDSA","kid":"\#(active.id)","typ":"\#(accessTokenType)"}"#
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(try encoder.encode(claims)))
        let signature = try Ed25519.PrivateKey(seed: active.material).signature(for: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Verifies signature, header and time claims; returns the claims. `leeway` absorbs clock skew.
    public static func verify(
        _ token: String, publicKeys: [String: Ed25519.PublicKey], issuer: String, audience: String, now: Date,
        leeway: TimeInterval = 60
    ) throws(VerificationError) -> Claims {
        guard token.utf8.count < 8192 else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any]
        else { throw .malformed }

        guard header["alg"] as? String == "EdDSA" else { throw .unsupportedAlgorithm }
        for forbidden in ["jku", "jwk", "x5u", "x5c", "crit"] where header[forbidden] != nil { throw .forbiddenHeader(forbidden) }
        guard header["typ"] as? String == accessTokenType else { throw .wrongType }
        guard let kid = header["kid"] as? String, let key = publicKeys[kid] else { throw .unknownKey }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard key.isValidSignature(signature, for: signingInput) else { throw .badSignature }

        let claims: Claims
        do {
            claims = try JSONDecoder().decode(Claims.self, from: Data(payloadBytes))
        } catch {
            throw .missingClaim("sub/sid/iat/exp/iss/aud/jti")
        }
        guard constantTimeEquals(Array(claims.iss.utf8), Array(issuer.utf8)) else { throw .wrongIssuer }
        guard claims.aud.values.contains(audience) else { throw .wrongAudience }
        let seconds = now.timeIntervalSince1970
        guard TimeInterval(claims.exp) + leeway > seconds else { throw .expired }
        if let notBefore = claims.nbf, TimeInterval(notBefore) - leeway > seconds { throw .notYetValid }
        guard TimeInterval(claims.iat) - leeway <= seconds else { throw .notYetValid }
        return claims
    }

    /// The public keys of every key in an Ed25519 ring, by key id (old keys verify tokens they signed).
    public static func publicKeys(of ring: KeyRing) throws -> [String: Ed25519.PublicKey] {
        var keys: [String: Ed25519.PublicKey] = [:]
        for key in ring.keys { keys[key.id] = try Ed25519.PrivateKey(seed: key.material).publicKey }
        return keys
    }
}
