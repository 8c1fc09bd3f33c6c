public import Foundation

public typealias NotificationID = Identifier<InAppNotification>

/// An in-app notification. Titles and bodies name what happened, never a secret.
public struct InAppNotification: Sendable, Equatable {
    public var id: NotificationID
    public var userID: UserID
    public var kind: String
    public var title: String
    public var body: String
    public var createdAt: Date
    public var readAt: Date?
    /// Order of creation (0 until stored); lists are newest first by it.
    public var sequence: Int64 = 0

    public init(id: NotificationID = .generate(), userID: UserID, kind: String, title: String, body: String, createdAt: Date, readAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.title = title
        self.body = body
        self.createdAt = createdAt
        self.readAt = readAt
    }
}

public protocol NotificationRepository: Sendable {
    /// Stores the notification and, in the same transaction, queues its email (if any) in the outbox.
    func create(_ notification: InAppNotification, email: OutboxMessage?) throws
    /// Newest first; only unread ones when `unreadOnly`; older than `beforeSequence`.
    func list(userID: UserID, unreadOnly: Bool, limit: Int, beforeSequence: Int64?) throws -> [InAppNotification]
    /// Marks one of the user's notifications read; false if the user has no such notification.
    func markRead(id: NotificationID, userID: UserID, at date: Date) throws -> Bool
    func mutedEmailKinds(userID: UserID) throws -> Set<String>
    func setMutedEmailKinds(_ kinds: Set<String>, userID: UserID, at date: Date) throws
}

public struct SQLNotificationRepository: NotificationRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(_ notification: InAppNotification, email: OutboxMessage?) throws {
        try database.write { connection in
            if let email { try SQLOutboxRepository(database: database).enqueue(email, at: notification.createdAt, on: connection) }
            try connection.execute(
                "INSERT INTO notifications (id, user_id, kind, title, body, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
                [
                    .text(notification.id.rawValue), .text(notification.userID.rawValue), .text(notification.kind), .text(notification.title),
                    .text(notification.body), .timestamp(notification.createdAt),
                ])
        }
    }

    public func list(userID: UserID, unreadOnly: Bool, limit: Int, beforeSequence: Int64?) throws -> [InAppNotification] {
        let unread = unreadOnly ? " AND read_at IS NULL" : ""
        let sql = "SELECT * FROM notifications WHERE user_id = $1 AND seq < $3\(unread) ORDER BY seq DESC LIMIT $2"
        return try database.query(sql, [.text(userID.rawValue), .integer(Int64(limit)), .integer(beforeSequence ?? Int64.max)]).map { row in
            var notification = InAppNotification(
                id: NotificationID(try row.string("id")), userID: userID, kind: try row.string("kind"), title: try row.string("title"),
                body: try row.string("body"), createdAt: try row.date("created_at"),
                readAt: try row.optionalInteger("read_at").map(Date.init(unixSeconds:)))
            notification.sequence = try row.integer("seq")
            return notification
        }
    }

    public func markRead(id: NotificationID, userID: UserID, at date: Date) throws -> Bool {
        try database.write { connection in
            let found = try connection.query(
                "SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2", [.text(id.rawValue), .text(userID.rawValue)])
            guard !found.isEmpty else { return false }
            try connection.execute(
                "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
                [.text(id.rawValue), .text(userID.rawValue), .timestamp(date)])
            return true
        }
    }

    public func mutedEmailKinds(userID: UserID) throws -> Set<String> {
        guard let row = try database.query("SELECT muted_email_kinds FROM notification_settings WHERE user_id = $1", [.text(userID.rawValue)]).first
        else { return [] }
        return Set(try row.string("muted_email_kinds").split(separator: ",").map(String.init))
    }

    public func setMutedEmailKinds(_ kinds: Set<String>, userID: UserID, at date: Date) throws {
        try database.write { connection in
            try connection.execute(
                """
                INSERT INTO notification_settings (user_id, muted_email_kinds, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (user_id) DO UPDATE SET muted_email_kinds = $2, updated_at = $3
                """, [.text(userID.rawValue), .text(kinds.sorted().joined(separator: ",")), .timestamp(date)])
        }
    }
}
