import KeyhavenHTTP

/// API.md's password rules: 12 to 1024 characters, no composition rules, not a common password,
/// not the account's own email address.
enum PasswordPolicy {
    static let minimumLength = 12
    static let maximumLength = 1024

    /// The reason `password` is refused, or nil when it is acceptable.
    static func problem(with password: String, email: String?) -> String? {
        let length = password.count
        if length < minimumLength { return "must be at least \(minimumLength) characters" }
        if length > maximumLength || password.utf8.count > maximumLength * 4 { return "must be at most \(maximumLength) characters" }
        if let email, password.lowercased() == email.lowercased() { return "must not be your email address" }
        if CommonPasswords.contains(password) { return "is too common; choose a password that is not on lists of common passwords" }
        return nil
    }
}
