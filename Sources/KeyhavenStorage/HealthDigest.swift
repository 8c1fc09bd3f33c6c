public import Foundation

/// Bookkeeping for the weak/reused password digest: which users' items changed since the last
/// look, what the last report was (a hash of item ids, never a password), and when it was sent.
public struct SQLHealthDigestRepository: Sendable {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func markDirty(userID: UserID) throws {
        try database.write { connection in
            _ = try connection.execute(
                """
                INSERT INTO health_digests (user_id, dirty, report_hash, last_sent_at) VALUES ($1, 1, NULL, NULL)
                ON CONFLICT (user_id) DO UPDATE SET dirty = 1
                """, [.text(userID.rawValue)])
        }
    }

    /// Users whose items changed and who were not sent a digest since `notSentSince`.
    public func due(notSentSince: Date, limit: Int = 100) throws -> [(userID: UserID, reportHash: String?)] {
        try database.query(
            """
            SELECT user_id, report_hash FROM health_digests
            WHERE dirty = 1 AND (last_sent_at IS NULL OR last_sent_at <= $1) ORDER BY user_id LIMIT $2
            """, [.timestamp(notSentSince), .integer(Int64(limit))]
        ).map { (UserID(try $0.string("user_id")), try $0.optionalString("report_hash")) }
    }

    /// Records the report just looked at; `sentAt` when a digest went out for it.
    public func record(userID: UserID, reportHash: String, sentAt: Date?) throws {
        try database.write { connection in
            if let sentAt {
                _ = try connection.execute(
                    "UPDATE health_digests SET dirty = 0, report_hash = $2, last_sent_at = $3 WHERE user_id = $1",
                    [.text(userID.rawValue), .text(reportHash), .timestamp(sentAt)])
            } else {
                _ = try connection.execute(
                    "UPDATE health_digests SET dirty = 0, report_hash = $2 WHERE user_id = $1", [.text(userID.rawValue), .text(reportHash)])
            }
        }
    }
}
