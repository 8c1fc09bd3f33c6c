public import Foundation

public typealias UserID = Identifier<User>

/// An account. `passwordHash` is a bcrypt hash of the pre-hashed password, never the password.
public struct User: Sendable, Equatable {
    public var id: UserID
    /// As the user typed it, trimmed and with the domain lower-cased.
    public var email: String
    /// The whole address lower-cased: what makes an account unique and what login looks up.
    public var emailKey: String
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UserID, email: String, emailKey: String? = nil, passwordHash: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.emailKey = emailKey ?? email.lowercased()
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Accounts storage. Implementations must pass the storage conformance suite.
public protocol UserRepository: Sendable {
    /// Throws `DatabaseError.uniqueViolation` when the email is taken.
    func create(_ user: User) throws
    func find(id: UserID) throws -> User?
    func find(emailKey: String) throws -> User?
    func updatePasswordHash(id: UserID, passwordHash: String, at date: Date) throws
    /// Deletes the account and everything that belongs to it (sessions, tokens, its audit
    /// trail); returns whether a user was deleted.
    func delete(id: UserID) throws -> Bool
}
