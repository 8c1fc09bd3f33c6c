import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// `/auth/*`: sign-up, sign-in, token refresh, sign-out, password change, account deletion,
/// sessions. Two-factor and GitHub sign-in have their own controllers.
struct AuthController {
    let users: any UserRepository
    let sessions: any SessionRepository
    let audit: AuditRecorder
    let twoFactor: TwoFactorService
    let sessionStarter: SessionStarter
    /// Makes the default vault at signup.
    let vaults: VaultService
    let notifier: Notifier
    let cursors: CursorSigner
    let githubLinks: SQLGitHubRepository
    let hasher: PasswordHasher
    let tokens: TokenIssuer
    let limiter: RateLimiter
    let authenticator: Authenticator
    let settings: SecuritySettings
    let logger: Logger

    func register(on router: inout Router) {
        router.post("/auth/signup", cpuIntensive: true) { request, context in try signup(request, context) }
        router.post("/auth/login", cpuIntensive: true) { request, context in try login(request, context) }
        router.post("/auth/refresh") { request, context in try refresh(request, context) }
        router.post("/auth/logout", handler: authenticator.require { request, context in try logout(request, context) })
        router.post("/auth/logout-all", handler: authenticator.require { request, context in try logoutAll(request, context) })
        router.post(
            "/auth/change-password", cpuIntensive: true,
            handler: authenticator.require { request, context in try changePassword(request, context) })
        router.get("/auth/me", handler: authenticator.require { _, context in try Response.json(userBody(context.user)) })
        router.delete("/auth/me", cpuIntensive: true, handler: authenticator.require { request, context in try deleteAccount(request, context) })
        router.get("/auth/sessions", handler: authenticator.require { request, context in try listSessions(request, context) })
    }

    // MARK: - Bodies

    struct SignupBody: RequestBody {
        static let fieldNames: Set<String> = ["email", "password", "enable_2fa", "two_factor_method"]
        var email: String
        var password: String
        var enable2fa: Bool?
        var twoFactorMethod: String?

        enum CodingKeys: String, CodingKey {
            case email, password
            case enable2fa = "enable2Fa"
            case twoFactorMethod
        }
    }

    struct LoginBody: RequestBody {
        static let fieldNames: Set<String> = ["email", "password"]
        var email: String
        var password: String
    }

    struct RefreshBody: RequestBody {
        static let fieldNames: Set<String> = ["refresh_token"]
        var refreshToken: String
    }

    struct LogoutBody: RequestBody {
        static let fieldNames: Set<String> = ["refresh_token"]
        var refreshToken: String?
    }

    struct ChangePasswordBody: RequestBody {
        static let fieldNames: Set<String> = ["current_password", "new_password"]
        var currentPassword: String
        var newPassword: String
    }

    struct DeleteAccountBody: RequestBody {
        static let fieldNames: Set<String> = ["password"]
        var password: String
    }

    struct UserBody: Encodable {
        struct TwoFactor: Encodable {
            var enabled: Bool
            var method: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(enabled, forKey: .enabled)
                try container.encode(method, forKey: .method)
            }
            enum CodingKeys: String, CodingKey { case enabled, method }
        }
        struct GitHub: Encodable {
            var linked: Bool
            var login: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(linked, forKey: .linked)
                try container.encode(login, forKey: .login)
            }
            enum CodingKeys: String, CodingKey { case linked, login }
        }
        var id: String
        var email: String
        var createdAt: Date
        var twoFactor: TwoFactor
        var github: GitHub

        init(_ user: User, twoFactor settings: TwoFactorSettings?, github link: GitHubLink?) {
            id = user.id.rawValue
            email = user.email
            createdAt = user.createdAt
            let enabled = settings?.enabled == true
            twoFactor = TwoFactor(enabled: enabled, method: enabled ? settings?.method.rawValue : nil)
            github = GitHub(linked: link != nil, login: link?.login)
        }
    }

    struct SessionBody: Encodable {
        var id: String
        var createdAt: Date
        var lastUsedAt: Date
        var ip: String
        var userAgent: String
        var current: Bool
    }

    // MARK: - Handlers

    private func signup(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "signup:ip:\(context.clientAddress)", rule: settings.signupPerAddress)
        let body = try request.decode(SignupBody.self)
        var errors: [HTTPError.FieldError] = []
        var email: EmailAddress?
        switch EmailAddress.parse(body.email) {
        case .success(let parsed): email = parsed
        case .failure(let invalid): errors.append(.init(field: "email", message: invalid.message))
        }
        if let problem = PasswordPolicy.problem(with: body.password, email: email?.value ?? body.email) {
            errors.append(.init(field: "password", message: problem))
        }
        var method = TwoFactorSettings.Method.totp
        if let requested = body.twoFactorMethod {
            if let parsed = TwoFactorSettings.Method(rawValue: requested) {
                method = parsed
            } else {
                errors.append(.init(field: "two_factor_method", message: "must be totp or email"))
            }
        }
        guard errors.isEmpty, let email else { throw HTTPError.validationFailed(errors) }

        let now = Date()
        let user = User(
            id: .generate(), email: email.value, emailKey: email.key, passwordHash: try hasher.hash(body.password), createdAt: now, updatedAt: now)
        do {
            try users.create(user)
        } catch DatabaseError.uniqueViolation {
            throw HTTPError.conflict("An account with this email address already exists.", code: "email_taken")
        }
        _ = try vaults.defaultVault(for: user.id)
        try audit.record(.signup, user: user.id, context, request)
        struct Created: Encodable {
            var user: UserBody
            var twoFactorSetup: TwoFactorService.Setup?
        }
        // With enable_2fa the set-up starts now and turns on at /auth/2fa/confirm.
        let setup = body.enable2fa == true ? try twoFactor.beginSetup(for: user, method: method) : nil
        return try Response.json(Created(user: userBody(user), twoFactorSetup: setup), status: 201, headers: ["Location": "/auth/me"])
    }

    private func login(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "login:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
        let body = try request.decode(LoginBody.self)
        let emailKey = (try? EmailAddress.parse(body.email).get().key) ?? body.email.lowercased()
        try limiter.take(from: RateLimiter.accountKey("login", emailKey: emailKey), rule: settings.loginPerAccount)
        // Reserve a failure up front (atomic under concurrency); it is given back on success.
        let failureKey = RateLimiter.accountKey("login-failures", emailKey: emailKey)
        do {
            try limiter.take(from: failureKey, rule: settings.loginFailuresPerAccount)
        } catch {
            try audit.record(.loginFailed, user: try users.find(emailKey: emailKey)?.id, context, request, detail: "throttled")
            throw error
        }

        guard let user = try users.find(emailKey: emailKey) else {
            hasher.verifyDummy(body.password)
            try audit.record(.loginFailed, user: nil, context, request, detail: "unknown_account")
            throw Self.invalidCredentials
        }
        guard hasher.verify(body.password, against: user.passwordHash) else {
            try audit.record(.loginFailed, user: user.id, context, request, detail: "wrong_password")
            throw Self.invalidCredentials
        }
        try limiter.giveBack(failureKey, rule: settings.loginFailuresPerAccount)
        if hasher.needsRehash(user.passwordHash) {
            try users.updatePasswordHash(id: user.id, passwordHash: try hasher.hash(body.password), at: Date())
        }
        // The password was right; with two-factor on, the session waits for the second factor.
        if let challenge = try twoFactor.loginChallenge(for: user) { return challenge }
        let issued = try sessionStarter.start(for: user, context: context, request: request)
        try audit.record(.loginSucceeded, user: user.id, context, request)
        return try Response.json(issued)
    }

    private func refresh(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "refresh:ip:\(context.clientAddress)", rule: settings.refreshPerAddress)
        let body = try request.decode(RefreshBody.self)
        let now = Date()
        let (newToken, newHash) = TokenIssuer.newRefreshToken()
        switch try sessions.rotateRefreshToken(
            presentedHash: TokenIssuer.hash(refreshToken: body.refreshToken), newHash: newHash, at: now, ipAddress: context.clientAddress)
        {
        case .rotated(let session):
            return try Response.json(tokens.tokens(for: session, refreshToken: newToken, now: now))
        case .reused(let session):
            logger.warning(
                "spent refresh token presented; session revoked",
                ["request_id": .string(context.requestID), "session_id": .string(session.id.rawValue)])
            try audit.record(.refreshTokenReused, user: session.userID, context, request, detail: "session \(session.id.rawValue) revoked")
            if let user = try users.find(id: session.userID) {
                notifier.notify(
                    user, .refreshTokenReused, title: "A signed-out session was used again",
                    body: "A refresh token that had already been used was presented from \(context.clientAddress). "
                        + "That session has been ended. If this was not you, change your password.")
            }
            throw HTTPError.unauthorized("This refresh token was already used; the session has been ended.", code: "refresh_token_reused")
        case .invalid:
            throw HTTPError.unauthorized("The refresh token is invalid or expired.", code: "invalid_refresh_token")
        }
    }

    private func logout(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let now = Date()
        if !request.body.isEmpty, let refreshToken = try request.decode(LogoutBody.self).refreshToken {
            // A refresh token of another session of the same user ends that session too.
            if let other = try sessions.find(refreshTokenHash: TokenIssuer.hash(refreshToken: refreshToken)), other.userID == context.user.id {
                try sessions.revoke(id: other.id, at: now)
            }
        }
        try sessions.revoke(id: context.session.id, at: now)
        try audit.record(.logout, user: context.user.id, context.request, request)
        return .noContent
    }

    private func logoutAll(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let ended = try sessions.revokeAll(userID: context.user.id, keeping: nil, at: Date())
        try audit.record(.logoutAll, user: context.user.id, context.request, request, detail: "\(ended) sessions")
        return .noContent
    }

    private func changePassword(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(ChangePasswordBody.self)
        try verifyPassword(body.currentPassword, of: context, request, field: "current_password")
        if let problem = PasswordPolicy.problem(with: body.newPassword, email: context.user.email) {
            throw HTTPError.validationFailed([.init(field: "new_password", message: problem)])
        }
        let now = Date()
        try users.updatePasswordHash(id: context.user.id, passwordHash: try hasher.hash(body.newPassword), at: now)
        let ended = try sessions.revokeAll(userID: context.user.id, keeping: context.session.id, at: now)
        try audit.record(.passwordChanged, user: context.user.id, context.request, request, detail: "\(ended) other sessions ended")
        notifier.notify(
            context.user, .passwordChanged, title: "Your password was changed",
            body: "The password of your Keyhaven account was changed from \(context.request.clientAddress); \(ended) other sessions were signed out. "
                + "If this was not you, reset it now.")
        return .noContent
    }

    private func deleteAccount(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(DeleteAccountBody.self)
        try verifyPassword(body.password, of: context, request, field: "password")
        _ = try users.delete(id: context.user.id)
        vaults.dataKeys.forget(context.user.id)
        // Kept for the operator's security trail: the pseudonymous id, time and address only.
        try audit.record(.accountDeleted, user: context.user.id, context.request, request)
        return .noContent
    }

    private func listSessions(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        var after: (Date, SessionID)?
        if let cursor = page.cursor {
            let parts = try cursors.position(from: cursor, userID: context.user.id).split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let seconds = Int64(parts[0]) else {
                throw HTTPError.badRequest("The cursor is not one this server issued.", code: "invalid_cursor")
            }
            after = (Date(unixSeconds: seconds), SessionID(String(parts[1])))
        }
        let found = try sessions.listActive(userID: context.user.id, at: Date(), limit: page.limit + 1, after: after)
        let items = found.prefix(page.limit)
        let next =
            found.count > page.limit
            ? items.last.map { cursors.cursor(position: "\($0.createdAt.unixSeconds)/\($0.id.rawValue)", userID: context.user.id) }
            : nil
        return try Response.json(
            Page(
                items: items.map {
                    SessionBody(
                        id: $0.id.rawValue, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, ip: $0.ipAddress, userAgent: $0.userAgent,
                        current: $0.id == context.session.id)
                }, nextCursor: next))
    }

    // MARK: - Helpers

    private static let invalidCredentials = HTTPError.unauthorized("The email address or password is incorrect.", code: "invalid_credentials")

    /// Re-authentication of a signed-in user, throttled like login so a stolen access token cannot
    /// be used to guess the password. A wrong password is 403: the session itself is fine.
    func verifyPassword(_ password: String, of context: AuthenticatedContext, _ request: Request, field: String) throws {
        let failureKey = RateLimiter.accountKey("login-failures", emailKey: context.user.emailKey)
        try limiter.take(from: failureKey, rule: settings.loginFailuresPerAccount)
        guard hasher.verify(password, against: context.user.passwordHash) else {
            try audit.record(.loginFailed, user: context.user.id, context.request, request, detail: "wrong_password_reauthentication")
            throw HTTPError(
                status: 403, code: "invalid_password", detail: "The password is incorrect.",
                fieldErrors: [.init(field: field, message: "is incorrect")])
        }
        try limiter.giveBack(failureKey, rule: settings.loginFailuresPerAccount)
    }

    private func userBody(_ user: User) throws -> UserBody {
        UserBody(user, twoFactor: try twoFactor.repository.settings(userID: user.id), github: try githubLinks.link(userID: user.id))
    }
}
