import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenQR
import KeyhavenStorage

/// Two-factor mechanics: TOTP secrets (sealed under the master key ring), emailed codes,
/// recovery codes and login challenges. Codes are stored as HMACs under a key derived from the
/// master key ring, so a stolen database does not even allow guessing six-digit codes offline.
struct TwoFactorService: Sendable {
    static let emailCodeLifetime: TimeInterval = 10 * 60
    static let emailCodeAttempts = 5
    static let challengeLifetime: TimeInterval = 5 * 60
    static let challengeAttempts = 5
    static let recoveryCodeCount = 10

    let repository: any TwoFactorRepository
    let masterKeys: MasterKeys
    let dataKeys: DataKeys
    let mailer: any Mailer

    /// What enrolment returns to the client (API.md `TwoFactorSetup`).
    struct Setup: Encodable {
        var method: String
        var secret: String?
        var otpauthUri: String?
        var qrCodeSvg: String?
    }

    /// Starts (or restarts) a pending set-up. TOTP: a fresh 160-bit secret. Email: a code to confirm.
    func beginSetup(for user: User, method: TwoFactorSettings.Method) throws -> Setup {
        let now = Date()
        switch method {
        case .totp:
            let secret = SecureRandom.bytes(count: 20)
            let key = masterKeys.activeKey
            let sealed = try AES256GCM.seal(secret, using: try SymmetricKey(bytes: key.material), authenticating: Self.secretAAD(user.id))
            try repository.savePending(
                userID: user.id, settings: TwoFactorSettings(method: .totp, enabled: false, sealedSecret: sealed.combined, secretKeyID: key.id),
                at: now)
            let encoded = Base32.encode(secret)
            let uri = Self.otpauthURI(email: user.email, secret: encoded)
            return Setup(method: "totp", secret: encoded, otpauthUri: uri, qrCodeSvg: try QRCode.svg(for: uri))
        case .email:
            try repository.savePending(userID: user.id, settings: TwoFactorSettings(method: .email, enabled: false), at: now)
            try sendEmailCode(to: user, purpose: .confirm)
            return Setup(method: "email")
        }
    }

    enum CodePurpose: String {
        case confirm, login, reauthenticate
    }

    /// Emails a fresh six-digit code for `purpose`, replacing any earlier one.
    func sendEmailCode(to user: User, purpose: CodePurpose) throws {
        let code = Self.randomDigits(6)
        try repository.storeEmailCode(
            userID: user.id, purpose: purpose.rawValue, codeHash: codeHash(user.id, purpose.rawValue, code, key: masterKeys.activeKey),
            expiresAt: Date().addingTimeInterval(Self.emailCodeLifetime))
        let body = """
            Your Keyhaven verification code is \(code).

            It expires in 10 minutes. If you did not just try to sign in or change your two-factor settings, \
            change your password.
            """
        try mailer.send(
            MailMessage(
                to: user.email, subject: "Your Keyhaven verification code", body: body,
                secretsRedacted: body.replacingOccurrences(of: code, with: "••••••")))
    }

    enum Verification: Equatable {
        case accepted
        case acceptedRecoveryCode
        case refused
    }

    /// Checks a code against the user's set-up: a TOTP code (each time step once), an emailed code
    /// for `purpose`, or (when `allowRecovery`) a recovery code, which is then spent.
    func verify(_ rawCode: String, for user: User, settings: TwoFactorSettings, purpose: CodePurpose, allowRecovery: Bool) throws -> Verification {
        let code = rawCode.trimmingCharacters(in: .whitespaces)
        if code.count == 6 && code.allSatisfy(\.isASCII) && code.allSatisfy(\.isNumber) {
            switch settings.method {
            case .totp:
                guard let secret = try totpSecret(of: user.id, settings: settings),
                    let step = OneTimePassword.matchingStep(
                        for: code, secret: secret, around: OneTimePassword.timeStep(at: Int64(Date().timeIntervalSince1970)))
                else { return .refused }
                return try repository.acceptTOTPStep(userID: user.id, step: step) ? .accepted : .refused
            case .email:
                let matched = try repository.consumeEmailCode(
                    userID: user.id, purpose: purpose.rawValue, at: Date(), maximumAttempts: Self.emailCodeAttempts
                ) { stored in
                    masterKeys.ring.keys.contains {
                        constantTimeEquals(Array(codeHash(user.id, purpose.rawValue, code, key: $0).utf8), Array(stored.utf8))
                    }
                }
                return matched ? .accepted : .refused
            }
        }
        guard allowRecovery, settings.enabled else { return .refused }
        let normalized = Self.normalizeRecoveryCode(code)
        for key in masterKeys.ring.keys
        where try repository.useRecoveryCode(userID: user.id, codeHash: codeHash(user.id, "recovery", normalized, key: key), at: Date()) {
            return .acceptedRecoveryCode
        }
        return .refused
    }

    /// Turns the pending set-up on and returns the ten recovery codes (shown once, stored hashed).
    func enable(for user: User) throws -> [String] {
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        try repository.enable(
            userID: user.id,
            recoveryCodeHashes: codes.map { codeHash(user.id, "recovery", Self.normalizeRecoveryCode($0), key: masterKeys.activeKey) },
            at: Date())
        return codes
    }

    /// A new login challenge token (opaque; stored as SHA-256).
    /// The answer to a first factor that was right when the account has two-factor on: a
    /// challenge to complete at /auth/verify-2fa (an emailed code is sent now); nil when off.
    func loginChallenge(for user: User) throws -> Response? {
        guard let factor = try repository.settings(userID: user.id), factor.enabled else { return nil }
        if factor.method == .email { try sendEmailCode(to: user, purpose: .login) }
        struct Challenge: Encodable {
            var twoFactorRequired = true
            var challengeToken: String
            var methods: [String]
            var expiresIn: Int
        }
        return try Response.json(
            Challenge(
                challengeToken: try newChallenge(for: user), methods: [factor.method.rawValue, "recovery_code"],
                expiresIn: Int(Self.challengeLifetime)))
    }

    func newChallenge(for user: User) throws -> String {
        let token = "khc_" + SecureRandom.token(byteCount: 32)
        let now = Date()
        try repository.createChallenge(
            tokenHash: Self.challengeHash(token), userID: user.id, at: now, expiresAt: now.addingTimeInterval(Self.challengeLifetime))
        return token
    }

    static func challengeHash(_ token: String) -> String { SHA256.hexHash(Array(token.utf8)) }

    static func otpauthURI(email: String, secret: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let label = "Keyhaven:" + (email.addingPercentEncoding(withAllowedCharacters: allowed) ?? email)
        return "otpauth://totp/\(label)?secret=\(secret)&issuer=Keyhaven&algorithm=SHA1&digits=6&period=30"
    }

    // MARK: - Private

    private func totpSecret(of userID: UserID, settings: TwoFactorSettings) throws -> [UInt8]? {
        guard let sealed = settings.sealedSecret, let keyID = settings.secretKeyID, let key = masterKeys.key(withID: keyID) else { return nil }
        return try AES256GCM.open(
            try AES256GCM.SealedBox(combined: sealed), using: try SymmetricKey(bytes: key.material), authenticating: Self.secretAAD(userID))
    }

    private func codeHash(_ userID: UserID, _ purpose: String, _ code: String, key: KeyRing.Key) -> String {
        let pepper =
            (try? HKDFSHA256.deriveKey(from: key.material, salt: Array("keyhaven".utf8), info: Array("two-factor-codes-v1".utf8), outputByteCount: 32))
            ?? []
        return HMACSHA256.authenticationCode(for: Array("\(userID.rawValue)\u{0}\(purpose)\u{0}\(code)".utf8), key: pepper).hexString
    }

    private static func secretAAD(_ userID: UserID) -> [UInt8] { Array("keyhaven:totp-secret:v1:\(userID.rawValue)".utf8) }

    /// Uniform random decimal digits (rejection sampling, no modulo bias).
    static func randomDigits(_ count: Int) -> String {
        var digits = ""
        while digits.count < count {
            for byte in SecureRandom.bytes(count: count) where byte < 250 && digits.count < count {
                digits.append(Character(String(byte % 10)))
            }
        }
        return digits
    }

    /// 12 characters of base32 (60 bits), grouped `abcd-efgh-ijkl`.
    static func newRecoveryCode() -> String {
        let text = String(Base32.encode(SecureRandom.bytes(count: 8)).lowercased().prefix(12))
        return [text.prefix(4), text.dropFirst(4).prefix(4), text.dropFirst(8)].joined(separator: "-")
    }

    static func normalizeRecoveryCode(_ code: String) -> String {
        code.lowercased().filter { $0 != "-" && $0 != " " }
    }
}
