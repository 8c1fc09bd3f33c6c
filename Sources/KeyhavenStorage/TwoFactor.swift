public import Foundation

/// A user's two-factor set-up: pending until confirmed, then enabled.
public struct TwoFactorSettings: Sendable, Equatable {
    public enum Method: String, Sendable {
        case totp, email
    }

    public var method: Method
    public var enabled: Bool
    /// The TOTP secret, sealed (AES-256-GCM) by the app layer; nil for email.
    public var sealedSecret: [UInt8]?
    /// The key the secret is sealed with.
    public var secretKeyID: String?
    /// The last TOTP time step accepted; codes at or before it are replays.
    public var lastAcceptedStep: Int64?

    public init(method: Method, enabled: Bool, sealedSecret: [UInt8]? = nil, secretKeyID: String? = nil, lastAcceptedStep: Int64? = nil) {
        self.method = method
        self.enabled = enabled
        self.sealedSecret = sealedSecret
        self.secretKeyID = secretKeyID
        self.lastAcceptedStep = lastAcceptedStep
    }
}

/// A password-verified login waiting for its second factor.
public struct LoginChallenge: Sendable, Equatable {
    public var userID: UserID
    public var expiresAt: Date
    public var failedAttempts: Int
    public var used: Bool
}

/// Two-factor state: settings, recovery codes, emailed codes and login challenges. Every code
/// and token is stored only as a keyed hash computed by the app layer.
public protocol TwoFactorRepository: Sendable {
    func settings(userID: UserID) throws -> TwoFactorSettings?
    /// Stores a pending (not yet enabled) set-up, replacing any earlier pending one.
    func savePending(userID: UserID, settings: TwoFactorSettings, at date: Date) throws
    /// Turns the pending set-up on and replaces the recovery codes, in one transaction.
    func enable(userID: UserID, recoveryCodeHashes: [String], at date: Date) throws
    /// Removes the set-up, recovery codes, emailed codes and open challenges.
    func disable(userID: UserID) throws
    /// Records `step` as used if it is later than the last accepted one; false for a replay.
    func acceptTOTPStep(userID: UserID, step: Int64) throws -> Bool
    /// Spends a recovery code; false if it is unknown or already used.
    func useRecoveryCode(userID: UserID, codeHash: String, at date: Date) throws -> Bool
    func unusedRecoveryCodeCount(userID: UserID) throws -> Int

    /// Stores the one live emailed code for `purpose`, replacing an earlier one.
    func storeEmailCode(userID: UserID, purpose: String, codeHash: String, expiresAt: Date) throws
    /// Checks a code for `purpose`: counts the attempt, and on a match deletes the code so it
    /// works once. `matches` compares stored and presented hashes (in constant time).
    func consumeEmailCode(userID: UserID, purpose: String, at date: Date, maximumAttempts: Int, matches: (String) -> Bool) throws -> Bool

    func createChallenge(tokenHash: String, userID: UserID, at date: Date, expiresAt: Date) throws
    func challenge(tokenHash: String) throws -> LoginChallenge?
    /// Counts a wrong code against the challenge; returns the new count.
    func recordChallengeFailure(tokenHash: String) throws -> Int
    /// Marks the challenge used; false if it already was (so it signs in once).
    func completeChallenge(tokenHash: String, at date: Date) throws -> Bool
}

public struct SQLTwoFactorRepository: TwoFactorRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func settings(userID: UserID) throws -> TwoFactorSettings? {
        try database.read { connection in
            guard let row = try connection.query("SELECT * FROM two_factor WHERE user_id = $1", [.text(userID.rawValue)]).first else {
                return nil
            }
            guard let method = TwoFactorSettings.Method(rawValue: try row.string("method")) else { throw DatabaseError.decoding("method") }
            return TwoFactorSettings(
                method: method, enabled: try row.integer("enabled") == 1, sealedSecret: try row.optionalBytes("secret"),
                secretKeyID: try row.optionalString("secret_key_id"), lastAcceptedStep: try row.optionalInteger("last_step"))
        }
    }

    public func savePending(userID: UserID, settings: TwoFactorSettings, at date: Date) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM two_factor WHERE user_id = $1 AND enabled = 0", [.text(userID.rawValue)])
            try connection.execute(
                """
                INSERT INTO two_factor (user_id, method, enabled, secret, secret_key_id, last_step, created_at, confirmed_at)
                VALUES ($1, $2, 0, $3, $4, NULL, $5, NULL)
                """,
                [
                    .text(userID.rawValue), .text(settings.method.rawValue), settings.sealedSecret.map { .blob($0) } ?? .null,
                    settings.secretKeyID.map { .text($0) } ?? .null, .timestamp(date),
                ])
        }
    }

    public func enable(userID: UserID, recoveryCodeHashes: [String], at date: Date) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE two_factor SET enabled = 1, confirmed_at = $2 WHERE user_id = $1", [.text(userID.rawValue), .timestamp(date)])
            try connection.execute("DELETE FROM recovery_codes WHERE user_id = $1", [.text(userID.rawValue)])
            for hash in recoveryCodeHashes {
                try connection.execute(
                    "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)", [.text(userID.rawValue), .text(hash)])
            }
        }
    }

    public func disable(userID: UserID) throws {
        try database.write { connection in
            for table in ["two_factor", "recovery_codes", "email_codes", "login_challenges"] {
                try connection.execute("DELETE FROM \(table) WHERE user_id = $1", [.text(userID.rawValue)])
            }
        }
    }

    public func acceptTOTPStep(userID: UserID, step: Int64) throws -> Bool {
        try database.write { connection in
            try connection.execute(
                "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)",
                [.text(userID.rawValue), .integer(step)]) == 1
        }
    }

    public func useRecoveryCode(userID: UserID, codeHash: String, at date: Date) throws -> Bool {
        try database.write { connection in
            try connection.execute(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                [.text(userID.rawValue), .text(codeHash), .timestamp(date)]) == 1
        }
    }

    public func unusedRecoveryCodeCount(userID: UserID) throws -> Int {
        try database.read { connection in
            Int(
                try connection.query("SELECT COUNT(*) AS c FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", [.text(userID.rawValue)])[0]
                    .integer("c"))
        }
    }

    public func storeEmailCode(userID: UserID, purpose: String, codeHash: String, expiresAt: Date) throws {
        try database.write { connection in
            try connection.execute("DELETE FROM email_codes WHERE user_id = $1 AND purpose = $2", [.text(userID.rawValue), .text(purpose)])
            try connection.execute(
                "INSERT INTO email_codes (user_id, purpose, code_hash, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)",
                [.text(userID.rawValue), .text(purpose), .text(codeHash), .timestamp(expiresAt)])
        }
    }

    public func consumeEmailCode(userID: UserID, purpose: String, at date: Date, maximumAttempts: Int, matches: (String) -> Bool) throws -> Bool {
        try database.write { connection in
            let lock = database.backend == .postgres ? " FOR UPDATE" : ""
            guard
                let row = try connection.query(
                    "SELECT code_hash, expires_at, attempts FROM email_codes WHERE user_id = $1 AND purpose = $2\(lock)",
                    [.text(userID.rawValue), .text(purpose)]
                ).first,
                try row.date("expires_at") > date, try row.integer("attempts") < maximumAttempts
            else { return false }
            if matches(try row.string("code_hash")) {
                try connection.execute("DELETE FROM email_codes WHERE user_id = $1 AND purpose = $2", [.text(userID.rawValue), .text(purpose)])
                return true
            }
            try connection.execute(
                "UPDATE email_codes SET attempts = attempts + 1 WHERE user_id = $1 AND purpose = $2", [.text(userID.rawValue), .text(purpose)])
            return false
        }
    }

    public func createChallenge(tokenHash: String, userID: UserID, at date: Date, expiresAt: Date) throws {
        try database.write { connection in
            try connection.execute(
                "INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at, failed_attempts, used_at) VALUES ($1, $2, $3, $4, 0, NULL)",
                [.text(tokenHash), .text(userID.rawValue), .timestamp(date), .timestamp(expiresAt)])
            // Old challenges are useless after expiry: drop them as new ones come.
            try connection.execute("DELETE FROM login_challenges WHERE expires_at < $1", [.timestamp(date.addingTimeInterval(-3600))])
        }
    }

    public func challenge(tokenHash: String) throws -> LoginChallenge? {
        try database.read { connection in
            try connection.query("SELECT * FROM login_challenges WHERE token_hash = $1", [.text(tokenHash)]).first.map { row in
                LoginChallenge(
                    userID: UserID(try row.string("user_id")), expiresAt: try row.date("expires_at"),
                    failedAttempts: Int(try row.integer("failed_attempts")), used: try row.optionalInteger("used_at") != nil)
            }
        }
    }

    public func recordChallengeFailure(tokenHash: String) throws -> Int {
        try database.write { connection in
            try connection.execute("UPDATE login_challenges SET failed_attempts = failed_attempts + 1 WHERE token_hash = $1", [.text(tokenHash)])
            return Int(
                try connection.query("SELECT failed_attempts FROM login_challenges WHERE token_hash = $1", [.text(tokenHash)]).first?.integer(
                    "failed_attempts") ?? 0)
        }
    }

    public func completeChallenge(tokenHash: String, at date: Date) throws -> Bool {
        try database.write { connection in
            try connection.execute(
                "UPDATE login_challenges SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL", [.text(tokenHash), .timestamp(date)]) == 1
        }
    }
}
