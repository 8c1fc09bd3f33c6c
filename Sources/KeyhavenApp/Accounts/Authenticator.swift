import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// What a handler behind authentication receives. Only `Authenticator` can make one, so a handler
/// that takes it cannot run for an unauthenticated request.
struct AuthenticatedContext: Sendable {
    let request: RequestContext
    let user: User
    let session: Session

    fileprivate init(request: RequestContext, user: User, session: Session) {
        self.request = request
        self.user = user
        self.session = session
    }
}

typealias AuthenticatedHandler = @Sendable (Request, AuthenticatedContext) throws -> Response

/// Checks `Authorization: Bearer <access token>`: signature, claims, and that the session named
/// by `sid` is still active, on every request, so logout takes effect at once. Tokens are read
/// from the header only, never from the query string.
struct Authenticator: Sendable {
    let tokens: TokenIssuer
    let sessions: any SessionRepository
    let database: any Database
    let logger: Logger

    /// Wraps an authenticated handler into a plain one that answers 401 without valid credentials.
    func require(_ handler: @escaping AuthenticatedHandler) -> Handler {
        { request, context in
            let authenticated = try authenticate(request, context: context)
            return try handler(request, authenticated)
        }
    }

    /// `require` for handlers that only read (or write nothing they read back): the session check
    /// and the handler's reads share one read snapshot (`Database.withReadSnapshot`), which on
    /// SQLite is one lock round per request instead of one per statement.
    func requireReading(_ handler: @escaping AuthenticatedHandler) -> Handler {
        let authenticated = require(handler)
        return { request, context in try database.withReadSnapshot { try authenticated(request, context) } }
    }

    func authenticate(_ request: Request, context: RequestContext) throws -> AuthenticatedContext {
        guard let header = request.headers["Authorization"], let token = Self.bearerToken(header) else { throw HTTPError.unauthorized() }
        let now = Date()
        let claims: JWT.Claims
        do {
            claims = try tokens.verifyAccessToken(token, now: now)
        } catch {
            logger.log(.debug, "access token refused", ["request_id": .string(context.requestID), "reason": .string("\(error)")])
            throw HTTPError.unauthorized()
        }
        guard let (session, user) = try sessions.findWithUser(id: SessionID(claims.sid)), session.isActive(at: now),
            session.userID.rawValue == claims.sub
        else { throw HTTPError.unauthorized() }
        // Record use at most once a minute: a write per request would be waste.
        if now.timeIntervalSince(session.lastUsedAt) >= 60 {
            try sessions.touch(id: session.id, at: now, ipAddress: context.clientAddress)
        }
        return AuthenticatedContext(request: context, user: user, session: session)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, surrounding spaces ignored),
    /// parsed on bytes: Foundation's trimming bridges through UTF-16 and cost more than the rest
    /// of authentication.
    static func bearerToken(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        guard bytes.count > 7, bytes[6] == UInt8(ascii: " "),
            String(decoding: bytes[0..<6], as: UTF8.self).lowercased() == "bearer"
        else { return nil }
        var start = 7
        var end = bytes.count
        while start < end && bytes[start] == UInt8(ascii: " ") { start += 1 }
        while end > start && bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
