public import Foundation

public typealias SessionID = Identifier<Session>

/// One signed-in device: created at login, ended by logout, password change, logout-all,
/// refresh-token reuse or expiry. Access tokens name it (`sid`) and are refused once it ends.
public struct Session: Sendable, Equatable {
    public var id: SessionID
    public var userID: UserID
    public var createdAt: Date
    public var lastUsedAt: Date
    /// When the refresh token chain runs out; the session cannot be refreshed past it.
    public var expiresAt: Date
    public var revokedAt: Date?
    public var ipAddress: String
    public var userAgent: String

    public init(
        id: SessionID, userID: UserID, createdAt: Date, lastUsedAt: Date, expiresAt: Date, revokedAt: Date? = nil, ipAddress: String,
        userAgent: String
    ) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    public func isActive(at date: Date) -> Bool { revokedAt == nil && expiresAt > date }
}

/// What presenting a refresh token did.
public enum RefreshOutcome: Sendable, Equatable {
    /// The token was live: it is now spent and `newTokenHash` is the session's live token.
    case rotated(Session)
    /// The token had already been spent: the whole session has been revoked.
    case reused(Session)
    /// Unknown token, or one whose session has ended or expired.
    case invalid
}

/// Sessions and their refresh tokens (stored only as SHA-256 hashes).
public protocol SessionRepository: Sendable {
    /// Stores a new session with its first refresh token.
    func create(_ session: Session, refreshTokenHash: String) throws
    func find(id: SessionID) throws -> Session?
    /// The session and its user in one read (authentication does this on every request).
    func findWithUser(id: SessionID) throws -> (Session, User)?
    /// The session a refresh token (live or spent) belongs to.
    func find(refreshTokenHash: String) throws -> Session?
    /// Spends `presentedHash` and installs `newHash`, atomically: of two concurrent calls with
    /// the same token exactly one rotates. A spent token revokes the session.
    func rotateRefreshToken(presentedHash: String, newHash: String, at date: Date, ipAddress: String) throws -> RefreshOutcome
    /// Records use of the session (last used time and address).
    func touch(id: SessionID, at date: Date, ipAddress: String) throws
    /// Ends one session; returns whether it was active.
    @discardableResult
    func revoke(id: SessionID, at date: Date) throws -> Bool
    /// Ends every active session of the user except `keeping`; returns how many ended.
    @discardableResult
    func revokeAll(userID: UserID, keeping: SessionID?, at date: Date) throws -> Int
    /// Active sessions, newest first, `limit` at most, after the `(createdAt, id)` cursor.
    func listActive(userID: UserID, at date: Date, limit: Int, after cursor: (Date, SessionID)?) throws -> [Session]
}
