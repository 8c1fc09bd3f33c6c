public import Foundation

/// An email waiting in the durable outbox.
public struct OutboxMessage: Sendable, Equatable {
    public var id: String
    public var to: String
    public var subject: String
    public var body: String
    public var attempts: Int

    public init(id: String = UUID().uuidString.lowercased(), to: String, subject: String, body: String, attempts: Int = 0) {
        self.id = id
        self.to = to
        self.subject = subject
        self.body = body
        self.attempts = attempts
    }
}

/// The outbox: messages are added in the transaction of the event that causes them, and a worker
/// claims them one at a time with a lease, so several servers can share the queue and a crashed
/// worker's message is picked up again when its lease runs out. A message is marked sent only
/// after the SMTP server accepted it: a crash in between resends it, never drops it.
public protocol OutboxRepository: Sendable {
    /// Adds a message inside an existing write transaction.
    func enqueue(_ message: OutboxMessage, at date: Date, on connection: any DatabaseConnection) throws
    /// Claims the oldest due message for `lease` seconds (counting the attempt), or nil.
    func claimNext(at date: Date, lease: TimeInterval) throws -> OutboxMessage?
    func markSent(id: String, at date: Date) throws
    func markFailed(id: String, error: String, retryAt: Date) throws
    /// Messages not yet sent.
    func pendingCount() throws -> Int
}

public struct SQLOutboxRepository: OutboxRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func enqueue(_ message: OutboxMessage, at date: Date, on connection: any DatabaseConnection) throws {
        try connection.execute(
            """
            INSERT INTO outbox (id, to_address, subject, body, created_at, attempts, next_attempt_at, locked_until, sent_at, last_error)
            VALUES ($1, $2, $3, $4, $5, 0, $5, NULL, NULL, NULL)
            """, [.text(message.id), .text(message.to), .text(message.subject), .text(message.body), .timestamp(date)])
    }

    public func claimNext(at date: Date, lease: TimeInterval) throws -> OutboxMessage? {
        let skipLocked = database.backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try database.write { connection in
            try connection.query(
                """
                UPDATE outbox SET locked_until = $2, attempts = attempts + 1
                WHERE seq = (SELECT seq FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
                             AND (locked_until IS NULL OR locked_until <= $1) ORDER BY seq LIMIT 1\(skipLocked))
                RETURNING id, to_address, subject, body, attempts
                """, [.timestamp(date), .timestamp(date.addingTimeInterval(lease))]
            ).first.map { row in
                OutboxMessage(
                    id: try row.string("id"), to: try row.string("to_address"), subject: try row.string("subject"), body: try row.string("body"),
                    attempts: Int(try row.integer("attempts")))
            }
        }
    }

    public func markSent(id: String, at date: Date) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE outbox SET sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1", [.text(id), .timestamp(date)])
        }
    }

    public func markFailed(id: String, error: String, retryAt: Date) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE outbox SET locked_until = NULL, next_attempt_at = $3, last_error = $2 WHERE id = $1",
                [.text(id), .text(String(error.prefix(500))), .timestamp(retryAt)])
        }
    }

    public func pendingCount() throws -> Int {
        Int(try database.query("SELECT COUNT(*) AS c FROM outbox WHERE sent_at IS NULL", [])[0].integer("c"))
    }
}
