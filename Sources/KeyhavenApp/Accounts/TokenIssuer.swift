import Foundation
import KeyhavenCrypto
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
    let refreshLifetime: Int

    init(signingKeys: KeyRing, settings: SecuritySettings, publicURL: URL) throws {
        self.signingKeys = signingKeys
        publicKeys = try JWT.publicKeys(of: signingKeys)
        issuer = settings.tokenIssuer ?? publicURL.absoluteString
        audience = settings.tokenAudience
        accessLifetime = settings.accessTokenLifetimeSeconds
        refreshLifetime = settings.refreshTokenLifetimeSeconds
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

    func verifyAccessToken(_ token: String, now: Date) throws(JWT.VerificationError) -> JWT.Claims {
        try JWT.verify(token, publicKeys: publicKeys, issuer: issuer, audience: audience, now: now)
    }
}
