import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// `/auth/2fa/*` and `/auth/verify-2fa`: enrolment, the login challenge, disabling.
struct TwoFactorController {
    let users: any UserRepository
    let twoFactor: TwoFactorService
    let sessionStarter: SessionStarter
    let limiter: RateLimiter
    let authenticator: Authenticator
    let auth: AuthController
    let audit: AuditRecorder
    let notifier: Notifier
    let settings: SecuritySettings

    func register(on router: inout Router) {
        router.post("/auth/2fa/setup", handler: authenticator.require { request, context in try setup(request, context) })
        router.post("/auth/2fa/confirm", handler: authenticator.require { request, context in try confirm(request, context) })
        router.post("/auth/2fa/disable", cpuIntensive: true, handler: authenticator.require { request, context in try disable(request, context) })
        router.post("/auth/2fa/email-code", handler: authenticator.require { request, context in try emailCode(request, context) })
        router.post("/auth/verify-2fa") { request, context in try verify(request, context) }
    }

    struct SetupBody: RequestBody {
        static let fieldNames: Set<String> = ["method"]
        var method: String
    }

    struct CodeBody: RequestBody {
        static let fieldNames: Set<String> = ["code"]
        var code: String
    }

    struct DisableBody: RequestBody {
        static let fieldNames: Set<String> = ["password", "code"]
        var password: String
        var code: String
    }

    struct VerifyBody: RequestBody {
        static let fieldNames: Set<String> = ["challenge_token", "code"]
        var challengeToken: String
        var code: String
    }

    private func setup(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(SetupBody.self)
        guard let method = TwoFactorSettings.Method(rawValue: body.method) else {
            throw HTTPError.validationFailed([.init(field: "method", message: "must be totp or email")])
        }
        if try twoFactor.repository.settings(userID: context.user.id)?.enabled == true {
            throw HTTPError.conflict(
                "Two-factor authentication is already on; disable it first to change the method.", code: "two_factor_already_enabled")
        }
        try limiter.take(from: "2fa-setup:user:\(context.user.id.rawValue)", rule: settings.twoFactorPerAccount)
        return try Response.json(twoFactor.beginSetup(for: context.user, method: method))
    }

    private func confirm(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(CodeBody.self)
        guard let pending = try twoFactor.repository.settings(userID: context.user.id), !pending.enabled else {
            throw HTTPError.conflict("There is no two-factor set-up waiting for confirmation.", code: "no_pending_two_factor")
        }
        try limiter.take(from: "2fa:user:\(context.user.id.rawValue)", rule: settings.twoFactorPerAccount)
        guard try twoFactor.verify(body.code, for: context.user, settings: pending, purpose: .confirm, allowRecovery: false) == .accepted else {
            throw Self.invalidCode(status: 422)
        }
        let codes = try twoFactor.enable(for: context.user)
        try audit.record(.twoFactorEnabled, user: context.user.id, context.request, request, detail: pending.method.rawValue)
        struct Confirmed: Encodable { var recoveryCodes: [String] }
        return try Response.json(Confirmed(recoveryCodes: codes))
    }

    private func disable(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(DisableBody.self)
        guard let current = try twoFactor.repository.settings(userID: context.user.id), current.enabled else {
            throw HTTPError.conflict("Two-factor authentication is not on.", code: "two_factor_not_enabled")
        }
        try auth.verifyPassword(body.password, of: context, request, field: "password")
        try limiter.take(from: "2fa:user:\(context.user.id.rawValue)", rule: settings.twoFactorPerAccount)
        let result = try twoFactor.verify(body.code, for: context.user, settings: current, purpose: .reauthenticate, allowRecovery: true)
        guard result != .refused else { throw Self.invalidCode(status: 403) }
        if result == .acceptedRecoveryCode {
            try audit.record(.recoveryCodeUsed, user: context.user.id, context.request, request)
            notifyRecoveryCodeUsed(context.user, from: context.request.clientAddress)
        }
        try twoFactor.repository.disable(userID: context.user.id)
        try audit.record(.twoFactorDisabled, user: context.user.id, context.request, request)
        return .noContent
    }

    private func emailCode(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        guard let current = try twoFactor.repository.settings(userID: context.user.id), current.method == .email else {
            throw HTTPError.conflict("Emailed codes are only for accounts with email two-factor authentication.", code: "two_factor_not_email")
        }
        try limiter.take(from: "2fa-email:user:\(context.user.id.rawValue)", rule: settings.twoFactorEmailsPerAccount)
        try twoFactor.sendEmailCode(to: context.user, purpose: current.enabled ? .reauthenticate : .confirm)
        return Response(status: 202)
    }

    private func verify(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "2fa:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
        let body = try request.decode(VerifyBody.self)
        let tokenHash = TwoFactorService.challengeHash(body.challengeToken)
        let now = Date()
        guard let challenge = try twoFactor.repository.challenge(tokenHash: tokenHash), !challenge.used, challenge.expiresAt > now,
            challenge.failedAttempts < TwoFactorService.challengeAttempts,
            let user = try users.find(id: challenge.userID), let factor = try twoFactor.repository.settings(userID: user.id), factor.enabled
        else {
            throw HTTPError.unauthorized("The sign-in challenge is invalid, used up or expired; sign in again.", code: "invalid_challenge")
        }
        try limiter.take(from: "2fa:user:\(user.id.rawValue)", rule: settings.twoFactorPerAccount)
        let result = try twoFactor.verify(body.code, for: user, settings: factor, purpose: .login, allowRecovery: true)
        guard result != .refused else {
            let failures = try twoFactor.repository.recordChallengeFailure(tokenHash: tokenHash)
            try audit.record(.loginFailed, user: user.id, context, request, detail: "wrong_second_factor")
            let left = max(0, TwoFactorService.challengeAttempts - failures)
            throw HTTPError.unauthorized(
                left > 0 ? "The code is not valid; \(left) attempts left." : "The code is not valid; sign in again.", code: "invalid_code")
        }
        guard try twoFactor.repository.completeChallenge(tokenHash: tokenHash, at: now) else {
            throw HTTPError.unauthorized("The sign-in challenge is invalid, used up or expired; sign in again.", code: "invalid_challenge")
        }
        if result == .acceptedRecoveryCode {
            try audit.record(.recoveryCodeUsed, user: user.id, context, request)
            notifyRecoveryCodeUsed(user, from: context.clientAddress)
        }
        let issued = try sessionStarter.start(for: user, context: context, request: request)
        try audit.record(.loginSucceeded, user: user.id, context, request, detail: result == .acceptedRecoveryCode ? "recovery_code" : "two_factor")
        return try Response.json(issued)
    }

    private func notifyRecoveryCodeUsed(_ user: User, from address: String) {
        let left = (try? twoFactor.repository.unusedRecoveryCodeCount(userID: user.id)) ?? 0
        notifier.notify(
            user, .recoveryCodeUsed, title: "A recovery code was used",
            body:
                "One of your recovery codes was used from \(address); \(left) remain. If this was not you, change your password and set up two-factor authentication again."
        )
    }

    private static func invalidCode(status: Int) -> HTTPError {
        HTTPError(
            status: status, code: "invalid_code", detail: "The code is not valid.", fieldErrors: [.init(field: "code", message: "is not valid")])
    }
}
