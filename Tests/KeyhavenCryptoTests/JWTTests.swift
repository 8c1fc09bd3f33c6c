import Foundation
import Testing

@testable import KeyhavenCrypto

/// Every refusal rule of `JWT.verify`, each attack its own case.
struct JWTTests {
    let ring = KeyRing.generate()
    let now = Date(timeIntervalSince1970: 1_796_400_000)
    let issuer = "https://vault.example"
    let audience = "keyhaven"

    func claims(iat: Int64? = nil, exp: Int64? = nil, nbf: Int64? = nil, iss: String? = nil, aud: String? = nil) -> JWT.Claims {
        let issued = iat ?? Int64(now.timeIntervalSince1970)
        return JWT.Claims(
            sub: "user-1", sid: "session-1", iat: issued, exp: exp ?? issued + 900, nbf: nbf, iss: iss ?? issuer, aud: aud ?? audience, jti: "j1")
    }

    func verify(_ token: String, keys: KeyRing? = nil) throws(JWT.VerificationError) -> JWT.Claims {
        try JWT.verify(token, publicKeys: try! JWT.publicKeys(of: keys ?? ring), issuer: issuer, audience: audience, now: now)
    }

    /// A token with an arbitrary header and payload and a given signature.
    func forge(header: String, payload: String, signature: [UInt8]) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "." + Base64URL.encode(signature)
    }

    func payloadJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(claims()), as: UTF8.self)
    }

    @Test func roundTripsWithKidAndEdDSA() throws {
        let token = try JWT.sign(claims(), keys: ring)
        let header = try #require(Base64URL.decode(token.split(separator: ".")[0]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: String])
        #expect(object == ["alg": "EdDSA", "kid": ring.activeKeyID, "typ": "at+jwt"])
        #expect(try verify(token) == claims())
    }

    @Test func tokensOfARotatedOutKeyStillVerify() throws {
        var rotated = ring
        let token = try JWT.sign(claims(), keys: ring)
        rotated.rotate()
        #expect(try verify(token, keys: rotated).sub == "user-1")
        #expect(try JWT.sign(claims(), keys: rotated) != token)
    }

    @Test func refusesAlgNone() {
        let token = forge(header: #"{"alg":"none","kid":"\#(ring.activeKeyID)","typ":"at+jwt"}"#, payload: payloadJSON(), signature: [])
        #expect(token.hasSuffix("."))  // header.payload. with an empty signature
        #expect(throws: JWT.VerificationError.unsupportedAlgorithm) { try verify(token) }
    }

    /// The classic confusion: an HS256 token whose HMAC key is our public key.
    @Test func refusesHS256SignedWithThePublicKey() throws {
        let publicKey = try Ed25519.PrivateKey(seed: ring.activeKey.material).publicKey.rawRepresentation
        let header = #"{"alg":"HS256","kid":"\#(ring.activeKeyID)","typ":"at+jwt"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payloadJSON().utf8))
        let mac = HMACSHA256.authenticationCode(for: Array(input.utf8), key: publicKey)
        #expect(throws: JWT.VerificationError.unsupportedAlgorithm) { try verify(input + "." + Base64URL.encode(mac)) }
    }

    @Test func refusesUnknownKid() throws {
        let other = KeyRing.generate()
        #expect(throws: JWT.VerificationError.unknownKey) { try verify(try JWT.sign(claims(), keys: other)) }
    }

    @Test(arguments: ["jku", "jwk", "x5u", "x5c", "crit"])
    func refusesKeyCarryingHeaders(_ name: String) throws {
        let header = #"{"alg":"EdDSA","kid":"\#(ring.activeKeyID)","typ":"at+jwt","\#(name)":"https://evil.example/keys"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payloadJSON().utf8))
        let signature = try Ed25519.PrivateKey(seed: ring.activeKey.material).signature(for: Array(input.utf8))
        #expect(throws: JWT.VerificationError.forbiddenHeader(name)) { try verify(input + "." + Base64URL.encode(signature)) }
    }

    @Test func refusesAnotherTokenType() throws {
        let header = #"{"alg":"EdDSA","kid":"\#(ring.activeKeyID)","typ":"JWT"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payloadJSON().utf8))
        let signature = try Ed25519.PrivateKey(seed: ring.activeKey.material).signature(for: Array(input.utf8))
        #expect(throws: JWT.VerificationError.wrongType) { try verify(input + "." + Base64URL.encode(signature)) }
    }

    @Test func refusesBadSignatureAndTamperedPayload() throws {
        let token = try JWT.sign(claims(), keys: ring)
        var parts = token.split(separator: ".").map(String.init)
        var signature = Base64URL.decode(parts[2])!
        signature[0] ^= 1
        #expect(throws: JWT.VerificationError.badSignature) { try verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)) }
        let escalated = payloadJSON().replacingOccurrences(of: "user-1", with: "admin")
        parts[1] = Base64URL.encode(Array(escalated.utf8))
        #expect(throws: JWT.VerificationError.badSignature) { try verify(parts.joined(separator: ".")) }
    }

    @Test func refusesWrongIssuerOrAudience() throws {
        #expect(throws: JWT.VerificationError.wrongIssuer) { try verify(try JWT.sign(claims(iss: "https://evil.example"), keys: ring)) }
        #expect(throws: JWT.VerificationError.wrongAudience) { try verify(try JWT.sign(claims(aud: "another-service"), keys: ring)) }
    }

    @Test func expiryWithSixtySecondsLeeway() throws {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        #expect(try verify(try JWT.sign(claims(iat: nowSeconds - 1000, exp: nowSeconds - 59), keys: ring)).sub == "user-1")
        #expect(throws: JWT.VerificationError.expired) { try verify(try JWT.sign(claims(iat: nowSeconds - 1000, exp: nowSeconds - 61), keys: ring)) }
    }

    @Test func refusesNotBeforeAndIssuedAtInTheFuture() throws {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        #expect(throws: JWT.VerificationError.notYetValid) { try verify(try JWT.sign(claims(nbf: nowSeconds + 120), keys: ring)) }
        #expect(throws: JWT.VerificationError.notYetValid) { try verify(try JWT.sign(claims(iat: nowSeconds + 600), keys: ring)) }
        #expect(try verify(try JWT.sign(claims(nbf: nowSeconds + 30), keys: ring)).sub == "user-1")
    }

    @Test(arguments: ["", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.e30", "eyJhbGciOiJFZERTQSJ9..", String(repeating: "a", count: 9000)])
    func refusesMalformedTokens(_ token: String) {
        #expect(throws: JWT.VerificationError.self) { try verify(token) }
    }

    @Test func refusesMissingClaims() throws {
        let header = #"{"alg":"EdDSA","kid":"\#(ring.activeKeyID)","typ":"at+jwt"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(#"{"sub":"u","iss":"\#(issuer)","aud":"keyhaven"}"#.utf8))
        let signature = try Ed25519.PrivateKey(seed: ring.activeKey.material).signature(for: Array(input.utf8))
        #expect(throws: JWT.VerificationError.self) { try verify(input + "." + Base64URL.encode(signature)) }
    }
}
