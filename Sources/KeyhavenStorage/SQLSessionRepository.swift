public import Foundation

/// `SessionRepository` over either backend.
public struct SQLSessionRepository: SessionRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(_ session: Session, refreshTokenHash: String) throws {
        try database.write { connection in
            try connection.execute(
                """
                INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, ip, user_agent)
                VALUES ($1, $2, $3, $4, $5, NULL, $6, $7)
                """,
                [
                    .text(session.id.rawValue), .text(session.userID.rawValue), .timestamp(session.createdAt), .timestamp(session.lastUsedAt),
                    .timestamp(session.expiresAt), .text(session.ipAddress), .text(session.userAgent),
                ])
            try insertToken(refreshTokenHash, session: session.id, createdAt: session.createdAt, expiresAt: session.expiresAt, on: connection)
        }
    }

    public func find(id: SessionID) throws -> Session? {
        try database.read { try $0.query("SELECT * FROM sessions WHERE id = $1", [.text(id.rawValue)]).first.map(Self.session) }
    }

    /// Runs on every authenticated request: columns by position straight from the row, no `Row`.
    public func findWithUser(id: SessionID) throws -> (Session, User)? {
        var found: (Session, User)?
        try database.forEachRow(
            """
            SELECT sessions.user_id, sessions.created_at, sessions.last_used_at, sessions.expires_at, sessions.revoked_at,
            sessions.ip, sessions.user_agent, users.email, users.email_key, users.password_hash, users.created_at, users.updated_at
            FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.id = $1
            """, [.text(id.rawValue)]
        ) { row in
            let userID = UserID(try row.string(0))
            let revoked: Date? = try row.isNull(4) ? nil : try row.date(4)
            let session = Session(
                id: id, userID: userID, createdAt: try row.date(1), lastUsedAt: try row.date(2), expiresAt: try row.date(3),
                revokedAt: revoked, ipAddress: try row.string(5), userAgent: try row.string(6))
            let user = User(
                id: userID, email: try row.string(7), emailKey: try row.string(8), passwordHash: try row.string(9),
                createdAt: try row.date(10), updatedAt: try row.date(11))
            found = (session, user)
        }
        return found
    }

    public func find(refreshTokenHash: String) throws -> Session? {
        try database.read { connection in
            try connection.query(
                "SELECT sessions.* FROM sessions JOIN refresh_tokens ON refresh_tokens.session_id = sessions.id WHERE refresh_tokens.token_hash = $1",
                [.text(refreshTokenHash)]
            ).first.map(Self.session)
        }
    }

    public func rotateRefreshToken(presentedHash: String, newHash: String, at date: Date, ipAddress: String) throws -> RefreshOutcome {
        try database.write { connection in
            let lock = database.backend == .postgres ? " FOR UPDATE" : ""
            guard
                let token = try connection.query(
                    "SELECT session_id, expires_at, spent_at FROM refresh_tokens WHERE token_hash = $1\(lock)", [.text(presentedHash)]
                ).first,
                let session = try connection.query(
                    "SELECT * FROM sessions WHERE id = $1\(lock)", [.text(try token.string("session_id"))]
                ).first.map(Self.session),
                session.isActive(at: date)
            else { return .invalid }

            if case .integer = token["spent_at"] ?? .null {
                try revoke(session.id, at: date, on: connection)
                var revoked = session
                revoked.revokedAt = date
                return .reused(revoked)
            }
            guard try token.date("expires_at") > date else { return .invalid }
            // The row lock (PostgreSQL) or the single writer (SQLite) makes this the only spender.
            let spent = try connection.execute(
                "UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $1 AND spent_at IS NULL", [.text(presentedHash), .timestamp(date)])
            guard spent == 1 else { return .invalid }
            try insertToken(newHash, session: session.id, createdAt: date, expiresAt: session.expiresAt, on: connection)
            try connection.execute(
                "UPDATE sessions SET last_used_at = $2, ip = $3 WHERE id = $1", [.text(session.id.rawValue), .timestamp(date), .text(ipAddress)])
            var rotated = session
            rotated.lastUsedAt = date
            rotated.ipAddress = ipAddress
            return .rotated(rotated)
        }
    }

    public func touch(id: SessionID, at date: Date, ipAddress: String) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE sessions SET last_used_at = $2, ip = $3 WHERE id = $1", [.text(id.rawValue), .timestamp(date), .text(ipAddress)])
        }
    }

    @discardableResult
    public func revoke(id: SessionID, at date: Date) throws -> Bool {
        try database.write { try revoke(id, at: date, on: $0) > 0 }
    }

    @discardableResult
    public func revokeAll(userID: UserID, keeping: SessionID?, at date: Date) throws -> Int {
        try database.write { connection in
            try connection.execute(
                "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3",
                [.text(userID.rawValue), .timestamp(date), .text(keeping?.rawValue ?? "")])
        }
    }

    public func listActive(userID: UserID, at date: Date, limit: Int, after cursor: (Date, SessionID)?) throws -> [Session] {
        try database.read { connection in
            var sql = "SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2"
            var parameters: [SQLValue] = [.text(userID.rawValue), .timestamp(date), .integer(Int64(limit))]
            if let (createdAt, id) = cursor {
                sql += " AND (created_at < $4 OR (created_at = $4 AND id < $5))"
                parameters += [.timestamp(createdAt), .text(id.rawValue)]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT $3"
            return try connection.query(sql, parameters).map(Self.session)
        }
    }

    @discardableResult
    private func revoke(_ id: SessionID, at date: Date, on connection: any DatabaseConnection) throws -> Int {
        try connection.execute("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [.text(id.rawValue), .timestamp(date)])
    }

    private func insertToken(_ hash: String, session: SessionID, createdAt: Date, expiresAt: Date, on connection: any DatabaseConnection) throws {
        try connection.execute(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, spent_at) VALUES ($1, $2, $3, $4, NULL)",
            [.text(hash), .text(session.rawValue), .timestamp(createdAt), .timestamp(expiresAt)])
    }

    private static func session(_ row: Row) throws -> Session {
        Session(
            id: SessionID(try row.string("id")), userID: UserID(try row.string("user_id")), createdAt: try row.date("created_at"),
            lastUsedAt: try row.date("last_used_at"), expiresAt: try row.date("expires_at"),
            revokedAt: try row.optionalInteger("revoked_at").map(Date.init(unixSeconds:)),
            ipAddress: try row.string("ip"), userAgent: try row.string("user_agent"))
    }
}
