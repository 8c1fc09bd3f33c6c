import Foundation

/// An email to one recipient. `secretsRedacted` is the body with one-time codes replaced, for
/// anywhere the message might be logged.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var body: String
    public var secretsRedacted: String

    public init(to: String, subject: String, body: String, secretsRedacted: String? = nil) {
        self.to = to
        self.subject = subject
        self.body = body
        self.secretsRedacted = secretsRedacted ?? body
    }
}

/// The seam every feature sends email through. Until SMTP delivery lands (the notifications
/// issue), `LogMailer` writes messages to the log.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) throws
}

/// Writes each message to the log. The body with its codes appears only in development, so a
/// developer can sign in without an SMTP server; elsewhere the redacted body is logged.
public struct LogMailer: Mailer {
    let logger: Logger
    let showSecrets: Bool

    public init(logger: Logger, showSecrets: Bool) {
        self.logger = logger
        self.showSecrets = showSecrets
    }

    public func send(_ message: MailMessage) throws {
        logger.warning(
            "email not sent (no SMTP configured)",
            ["to": .string(message.to), "subject": .string(message.subject), "body": .string(showSecrets ? message.body : message.secretsRedacted)])
    }
}

/// Keeps messages in memory (tests).
public final class RecordingMailer: Mailer, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [MailMessage] = []
    public init() {}
    public func send(_ message: MailMessage) throws {
        lock.lock()
        storage.append(message)
        lock.unlock()
    }
    public var messages: [MailMessage] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
