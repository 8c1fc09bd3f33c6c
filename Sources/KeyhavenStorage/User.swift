public import Foundation

public typealias UserID = Identifier<User>

/// An account. `passwordHash` is a bcrypt hash of the pre-hashed password, never the password.
public struct User: Sendable, Equatable {
    public var id: UserID
    /// Normalised (trimmed, domain lower-cased) and unique.
    public var email: String
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UserID, email: String, passwordHash: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
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
    func find(email: String) throws -> User?
    func updatePasswordHash(id: UserID, passwordHash: String, at date: Date) throws
    /// Returns whether a user was deleted.
    func delete(id: UserID) throws -> Bool
}
