import Foundation
import KeyhavenCrypto
import KeyhavenLocking
import KeyhavenStorage

/// Mints and checks access tokens (EdDSA JWTs) and refresh tokens (opaque, stored as SHA-256).
struct TokenIssuer: Sendable {
    struct Tokens: Encodable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    private let signingKeys: KeyRing
    private let publicKeys: [String: Ed25519.PublicKey]
    let issuer: String
    let audience: String
    let accessLifetime: Int
    private let verified = VerifiedTokenCache()

    init(signingKeys: KeyRing, settings: SecuritySettings, publicURL: URL) throws {
        self.signingKeys = signingKeys
        publicKeys = try JWT.publicKeys(of: signingKeys)
        issuer = settings.tokenIssuer ?? publicURL.absoluteString
        audience = settings.tokenAudience
        accessLifetime = settings.accessTokenLifetimeSeconds
    }

    /// A fresh refresh token and the hash to store.
    static func newRefreshToken() -> (token: String, hash: String) {
        let token = "khr_" + SecureRandom.token(byteCount: 32)
        return (token, hash(refreshToken: token))
    }

    static func hash(refreshToken: String) -> String { SHA256.hexHash(Array(refreshToken.utf8)) }

    func tokens(for session: Session, refreshToken: String, now: Date) throws -> Tokens {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let claims = JWT.Claims(
            sub: session.userID.rawValue, sid: session.id.rawValue, iat: issuedAt, exp: issuedAt + Int64(accessLifetime), iss: issuer,
            aud: audience, jti: SecureRandom.token(byteCount: 16))
        return Tokens(accessToken: try JWT.sign(claims, keys: signingKeys), refreshToken: refreshToken, expiresIn: accessLifetime)
    }

    /// Verifies an access token. A token that verified before is taken from a small cache until
    /// it expires (the signature check is the most expensive step of an API request); the
    /// session it names is still checked on every request by the caller.
    func verifyAccessToken(_ token: String, now: Date) throws(JWT.VerificationError) -> JWT.Claims {
        if let claims = verified.claims(for: token, now: now) { return claims }
        let claims = try JWT.verify(token, publicKeys: publicKeys, issuer: issuer, audience: audience, now: now)
        verified.store(claims, for: token)
        return claims
    }
}

/// Access tokens whose signature and claims have been verified, by their exact text. Bounded:
/// past `capacity` entries it starts over.
final class VerifiedTokenCache: Sendable {
    private let entries = Locked<[String: JWT.Claims]>([:])
    private let capacity = 10_000

    func claims(for token: String, now: Date) -> JWT.Claims? {
        guard let claims = entries.withLock({ $0[token] }) else { return nil }
        // The same expiry rule as `JWT.verify` (60 s leeway).
        return TimeInterval(claims.exp) + 60 > now.timeIntervalSince1970 ? claims : nil
    }

    func store(_ claims: JWT.Claims, for token: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
