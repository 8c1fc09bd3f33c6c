import Foundation
import KeyhavenMail
import KeyhavenStorage

/// Delivers the outbox: claims one due message at a time (with a lease, so servers sharing
/// PostgreSQL never send the same message twice in the normal path), hands it to the `Mailer`,
/// and marks it sent, or schedules a retry with exponential backoff (10 s, 20 s, … up to 1 hour).
public final class OutboxWorker: @unchecked Sendable {
    private let outbox: any OutboxRepository
    private let mailer: any Mailer
    private let logger: Logger
    private var loop: BackgroundLoop!
    static let lease: TimeInterval = 120

    init(outbox: any OutboxRepository, mailer: any Mailer, logger: Logger) {
        self.outbox = outbox
        self.mailer = mailer
        self.logger = logger
        loop = BackgroundLoop(name: "keyhaven-outbox", interval: 2) { [weak self] in self?.deliverDue() }
    }

    /// Delivers every message that is due now; returns how many were sent.
    @discardableResult
    public func deliverDue() -> Int {
        let now = { Date() }
        var sent = 0
        while let message = try? outbox.claimNext(at: now(), lease: Self.lease) {
            do {
                try mailer.send(MailMessage(to: message.to, subject: message.subject, body: message.body))
                try outbox.markSent(id: message.id, at: now())
                sent += 1
            } catch {
                let delay = min(3600, 10 * pow(2, Double(max(0, message.attempts - 1))))
                logger.warning(
                    "email delivery failed; will retry",
                    [
                        "outbox_id": .string(message.id), "attempts": .integer(message.attempts), "retry_in_s": .integer(Int(delay)),
                        "error": .string("\(error)"),
                    ])
                try? outbox.markFailed(id: message.id, error: "\(error)", retryAt: now().addingTimeInterval(delay))
            }
        }
        return sent
    }

    /// Runs `deliverDue` on a background thread every few seconds, and at once when woken.
    public func start() { loop.start() }
    public func wake() { loop.wake() }
    public func stop() { loop.stop() }
}

/// Sends through an SMTP server (`KEYHAVEN_SMTP_URL`).
struct SMTPMailer: Mailer {
    let client: SMTPClient
    let from: String

    func send(_ message: MailMessage) throws {
        try client.send(
            EmailMessage(from: from, to: message.to, subject: message.subject, text: message.body), messageID: UUID().uuidString.lowercased())
    }
}
