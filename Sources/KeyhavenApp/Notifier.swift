import Foundation
import KeyhavenStorage

/// Tells users what happened: an in-app notification, and an email unless the user turned that
/// kind of email off (security alerts cannot be turned off). Titles and bodies name the event and
/// the object, never a secret.
///
/// The email is queued in the outbox in the same transaction as the in-app notification, and the
/// `OutboxWorker` delivers it (with retries), so a notification's email is never lost while the
/// SMTP server is down.
struct Notifier: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case itemChanged = "item_changed"
        case refreshTokenReused = "refresh_token_reused"
        case recoveryCodeUsed = "recovery_code_used"
        case passwordChanged = "password_changed"
        case exportMade = "export_made"
        case githubLinked = "github_linked"
        case secretsFound = "secrets_found"
        case passwordHealth = "password_health"

        /// Security alerts: their emails cannot be turned off.
        var isSecurityAlert: Bool { ![.itemChanged, .secretsFound, .passwordHealth].contains(self) }
    }

    let repository: any NotificationRepository
    let logger: Logger
    /// Wakes the outbox worker when a message is queued.
    var wake: @Sendable () -> Void = {}

    func notify(_ user: User, _ kind: Kind, title: String, body: String) {
        do {
            let emailed = try kind.isSecurityAlert || !repository.mutedEmailKinds(userID: user.id).contains(kind.rawValue)
            try repository.create(
                InAppNotification(userID: user.id, kind: kind.rawValue, title: title, body: body, createdAt: Date()),
                email: emailed ? OutboxMessage(to: user.email, subject: "Keyhaven: \(title)", body: body + "\n\n— Keyhaven") : nil)
            if emailed { wake() }
        } catch {
            logger.error(
                "notification not delivered", ["user_id": .string(user.id.rawValue), "kind": .string(kind.rawValue), "error": .string("\(error)")])
        }
    }
}
