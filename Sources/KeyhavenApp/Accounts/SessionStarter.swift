import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// Opens a session for a user whose credentials (and second factor, if any) have been checked.
struct SessionStarter: Sendable {
    let sessions: any SessionRepository
    let tokens: TokenIssuer
    let settings: SecuritySettings

    func start(for user: User, context: RequestContext, request: Request) throws -> TokenIssuer.Tokens {
        let now = Date()
        let (refreshToken, refreshHash) = TokenIssuer.newRefreshToken()
        let session = Session(
            id: .generate(), userID: user.id, createdAt: now, lastUsedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(settings.refreshTokenLifetimeSeconds)), ipAddress: context.clientAddress,
            userAgent: RequestMetadata.userAgent(request))
        try sessions.create(session, refreshTokenHash: refreshHash)
        return try tokens.tokens(for: session, refreshToken: refreshToken, now: now)
    }
}

/// What the audit trail records of a request.
enum RequestMetadata {
    /// The `User-Agent`, without control characters, at most 256 characters.
    static func userAgent(_ request: Request) -> String {
        String((request.headers["User-Agent"] ?? "").unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.prefix(256))
    }
}

/// Records audit events with the request's address and user agent.
struct AuditRecorder: Sendable {
    let audit: any AuditLogRepository

    func record(_ kind: AuditEvent.Kind, user: UserID?, _ context: RequestContext, _ request: Request, detail: String? = nil) throws {
        try audit.record(
            AuditEvent(
                userID: user, kind: kind, createdAt: Date(), ipAddress: context.clientAddress, userAgent: RequestMetadata.userAgent(request),
                detail: detail))
    }
}
