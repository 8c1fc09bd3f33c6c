public import Foundation
import KeyhavenStorage

/// The weak/reused password digest: after a user's items change, the health report is
/// recomputed in the background; when it differs from the last one looked at and still lists weak
/// or reused passwords, the user gets one notification (and email) with the counts, at most once
/// a day. It names no item title and no password.
public struct HealthDigests: Sendable {
    let repository: SQLHealthDigestRepository
    let items: any ItemRepository
    let vaultRepository: any VaultRepository
    let dataKeys: DataKeys
    let users: SQLUserRepository
    let notifier: Notifier
    let logger: Logger
    static let minimumInterval: TimeInterval = 24 * 3600

    func markDirty(_ userID: UserID) {
        do {
            try repository.markDirty(userID: userID)
        } catch {
            logger.warning("could not schedule the password health digest", ["user_id": .string(userID.rawValue), "error": .string("\(error)")])
        }
    }

    /// Looks at every user whose items changed and who was not sent a digest in the last day;
    /// returns how many digests went out.
    @discardableResult
    public func sendDue(now: Date = Date()) -> Int {
        var sent = 0
        guard let due = try? repository.due(notSentSince: now.addingTimeInterval(-Self.minimumInterval)) else { return 0 }
        for (userID, previous) in due {
            do {
                let report = try PasswordHealthReport.make(userID: userID, items: items, vaultRepository: vaultRepository, dataKeys: dataKeys)
                let hash = report.digest
                let worthTelling = hash != previous && (!report.weak.isEmpty || !report.reused.isEmpty)
                if worthTelling, let user = try users.find(id: userID) {
                    var parts: [String] = []
                    if !report.weak.isEmpty { parts.append("\(report.weak.count) weak password\(report.weak.count == 1 ? "" : "s")") }
                    if !report.reused.isEmpty {
                        parts.append(
                            "\(report.reusedItemCount) items sharing \(report.reused.count) reused password\(report.reused.count == 1 ? "" : "s")")
                    }
                    notifier.notify(
                        user, .passwordHealth, title: "Passwords to update: \(parts.joined(separator: ", "))",
                        body: "Your vault has \(parts.joined(separator: " and ")). See GET /passwords/health for the items, "
                            + "and change those passwords where they are used.")
                    sent += 1
                }
                try repository.record(userID: userID, reportHash: hash, sentAt: worthTelling ? now : nil)
            } catch {
                logger.warning("password health digest failed", ["user_id": .string(userID.rawValue), "error": .string("\(error)")])
            }
        }
        return sent
    }
}
