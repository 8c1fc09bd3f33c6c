import Foundation
import KeyhavenStorage

/// Tells users what happened: an in-app notification, and an email unless the user turned that
/// kind of email off (security alerts cannot be turned off). Titles and bodies name the event and
/// the object, never a secret.
///
/// Email goes through the `Mailer` seam synchronously; a failed send is logged and does not
/// fail the request (the in-app notification is already stored). A durable outbox with retries
/// comes with SMTP delivery.
struct Notifier: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case itemChanged = "item_changed"
        case refreshTokenReused = "refresh_token_reused"
        case recoveryCodeUsed = "recovery_code_used"
        case passwordChanged = "password_changed"

        /// Security alerts: their emails cannot be turned off.
        var isSecurityAlert: Bool { self != .itemChanged }
    }

    let repository: any NotificationRepository
    let mailer: any Mailer
    let logger: Logger

    func notify(_ user: User, _ kind: Kind, title: String, body: String) {
        do {
            try repository.create(InAppNotification(userID: user.id, kind: kind.rawValue, title: title, body: body, createdAt: Date()))
            if try kind.isSecurityAlert || !repository.mutedEmailKinds(userID: user.id).contains(kind.rawValue) {
                try mailer.send(MailMessage(to: user.email, subject: "Keyhaven: \(title)", body: body + "\n\n— Keyhaven"))
            }
        } catch {
            logger.error(
                "notification not delivered", ["user_id": .string(user.id.rawValue), "kind": .string(kind.rawValue), "error": .string("\(error)")])
        }
    }
}
