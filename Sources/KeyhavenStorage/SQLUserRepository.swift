public import Foundation

/// `UserRepository` over either backend: the statements are portable SQL.
public struct SQLUserRepository: UserRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(_ user: User) throws {
        try database.write { connection in
            try connection.execute(
                "INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
                [.text(user.id.rawValue), .text(user.email), .text(user.passwordHash), .timestamp(user.createdAt), .timestamp(user.updatedAt)])
        }
    }

    public func find(id: UserID) throws -> User? {
        try database.read { try $0.query("SELECT * FROM users WHERE id = $1", [.text(id.rawValue)]).first.map(Self.user) }
    }

    public func find(email: String) throws -> User? {
        try database.read { try $0.query("SELECT * FROM users WHERE email = $1", [.text(email)]).first.map(Self.user) }
    }

    public func updatePasswordHash(id: UserID, passwordHash: String, at date: Date) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                [.text(id.rawValue), .text(passwordHash), .timestamp(date)])
        }
    }

    public func delete(id: UserID) throws -> Bool {
        try database.write { try $0.execute("DELETE FROM users WHERE id = $1", [.text(id.rawValue)]) > 0 }
    }

    private static func user(_ row: Row) throws -> User {
        User(
            id: UserID(try row.string("id")), email: try row.string("email"), passwordHash: try row.string("password_hash"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension SQLValue {
    /// Whole Unix seconds.
    public static func timestamp(_ date: Date) -> SQLValue { .integer(Int64(date.timeIntervalSince1970.rounded(.down))) }
}

extension Row {
    public func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: TimeInterval(try integer(column))) }
}
