public import Foundation

public typealias AuditEventID = Identifier<AuditEvent>

/// A security event in a user's trail. `detail` is an internal reason code (`wrong_password`,
/// `throttled`), never a secret; `userID` is nil for events about no known account.
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case signup
        case loginSucceeded = "login_succeeded"
        case loginFailed = "login_failed"
        case refreshTokenReused = "refresh_token_reused"
        case logout
        case logoutAll = "logout_all"
        case passwordChanged = "password_changed"
        case accountDeleted = "account_deleted"
        case twoFactorEnabled = "two_factor_enabled"
        case twoFactorDisabled = "two_factor_disabled"
        case recoveryCodeUsed = "recovery_code_used"
        case itemCreated = "item_created"
        case itemUpdated = "item_updated"
        case itemDeleted = "item_deleted"
        case vaultCreated = "vault_created"
        case vaultUpdated = "vault_updated"
        case vaultDeleted = "vault_deleted"
        case exportMade = "export_made"
        case importMade = "import_made"
        case githubLinked = "github_linked"
        case githubUnlinked = "github_unlinked"
        case scanStarted = "scan_started"
        case scanCompleted = "scan_completed"
        case scanFailed = "scan_failed"
        case findingUpdated = "finding_updated"
    }

    public var id: AuditEventID
    public var userID: UserID?
    public var kind: Kind
    public var createdAt: Date
    public var ipAddress: String
    public var userAgent: String
    public var detail: String?
    /// Order of recording (0 until stored); lists are newest first by it.
    public var sequence: Int64 = 0

    public init(
        id: AuditEventID = .generate(), userID: UserID?, kind: Kind, createdAt: Date, ipAddress: String, userAgent: String,
        detail: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.createdAt = createdAt
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.detail = detail
    }
}

public protocol AuditLogRepository: Sendable {
    func record(_ event: AuditEvent) throws
    /// The user's events, newest first.
    func events(userID: UserID, limit: Int) throws -> [AuditEvent]
    /// The user's events, newest first, older than `beforeSequence` (the last of a previous page).
    func events(userID: UserID, limit: Int, beforeSequence: Int64?) throws -> [AuditEvent]
}

public struct SQLAuditLogRepository: AuditLogRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func record(_ event: AuditEvent) throws {
        try database.write { connection in
            try connection.execute(
                "INSERT INTO audit_events (id, user_id, event, created_at, ip, user_agent, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    .text(event.id.rawValue), event.userID.map { .text($0.rawValue) } ?? .null, .text(event.kind.rawValue),
                    .timestamp(event.createdAt), .text(event.ipAddress), .text(event.userAgent), event.detail.map { .text($0) } ?? .null,
                ])
        }
    }

    public func events(userID: UserID, limit: Int) throws -> [AuditEvent] {
        try events(userID: userID, limit: limit, beforeSequence: nil)
    }

    public func events(userID: UserID, limit: Int, beforeSequence: Int64?) throws -> [AuditEvent] {
        try database.read { connection in
            try connection.query(
                "SELECT * FROM audit_events WHERE user_id = $1 AND seq < $3 ORDER BY seq DESC LIMIT $2",
                [.text(userID.rawValue), .integer(Int64(limit)), .integer(beforeSequence ?? Int64.max)]
            ).map { row in
                guard let kind = AuditEvent.Kind(rawValue: try row.string("event")) else { throw DatabaseError.decoding("event") }
                var event = AuditEvent(
                    id: AuditEventID(try row.string("id")), userID: try row.optionalString("user_id").map(UserID.init), kind: kind,
                    createdAt: try row.date("created_at"), ipAddress: try row.string("ip"), userAgent: try row.string("user_agent"),
                    detail: try row.optionalString("detail"))
                event.sequence = try row.integer("seq")
                return event
            }
        }
    }
}
