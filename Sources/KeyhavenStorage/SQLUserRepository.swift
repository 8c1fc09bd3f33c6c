public import Foundation

/// `UserRepository` over either backend: the statements are portable SQL.
public struct SQLUserRepository: UserRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(_ user: User) throws {
        try database.write { connection in
            try connection.execute(
                "INSERT INTO users (id, email, email_key, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    .text(user.id.rawValue), .text(user.email), .text(user.emailKey), .text(user.passwordHash), .timestamp(user.createdAt),
                    .timestamp(user.updatedAt),
                ])
        }
    }

    public func find(id: UserID) throws -> User? {
        try database.read { try $0.query("SELECT * FROM users WHERE id = $1", [.text(id.rawValue)]).first.map(Self.user) }
    }

    public func find(emailKey: String) throws -> User? {
        try database.read { try $0.query("SELECT * FROM users WHERE email_key = $1", [.text(emailKey)]).first.map(Self.user) }
    }

    public func updatePasswordHash(id: UserID, passwordHash: String, at date: Date) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                [.text(id.rawValue), .text(passwordHash), .timestamp(date)])
        }
    }

    public func delete(id: UserID) throws -> Bool {
        try database.write { connection in
            // Sessions and refresh tokens go with the user (ON DELETE CASCADE); the audit trail is
            // not a foreign key (it also records events of unknown accounts), so it is removed here.
            try connection.execute("DELETE FROM audit_events WHERE user_id = $1", [.text(id.rawValue)])
            return try connection.execute("DELETE FROM users WHERE id = $1", [.text(id.rawValue)]) > 0
        }
    }

    private static func user(_ row: Row) throws -> User {
        User(
            id: UserID(try row.string("id")), email: try row.string("email"), emailKey: try row.string("email_key"),
            passwordHash: try row.string("password_hash"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension SQLValue {
    /// Whole Unix seconds.
    public static func timestamp(_ date: Date) -> SQLValue { .integer(date.unixSeconds) }
}

extension Date {
    /// Whole Unix seconds, as timestamps are stored.
    public var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }

    /// A stored timestamp (whole Unix seconds) as a date.
    public init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}

extension Row {
    public func date(_ column: String) throws -> Date { Date(unixSeconds: try integer(column)) }
}

extension RowColumns {
    /// A text column that must not be NULL, as a `String` (a copy).
    public func string(_ column: Int) throws -> String {
        guard let bytes = try text(column) else { throw DatabaseError.decoding("column \(column)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func date(_ column: Int) throws -> Date { Date(unixSeconds: try integer(column)) }
}
