public import Foundation

/// A user's link to a GitHub account. The OAuth token is sealed under the user's data key by the
/// app layer; this layer only stores the ciphertext.
public struct GitHubLink: Sendable, Equatable {
    public var userID: UserID
    public var githubID: Int64
    public var login: String
    public var sealedToken: [UInt8]
    /// GitHub answered 401 with this token: scans fail until the user links again.
    public var broken: Bool
    public var linkedAt: Date

    public init(userID: UserID, githubID: Int64, login: String, sealedToken: [UInt8], broken: Bool = false, linkedAt: Date) {
        self.userID = userID
        self.githubID = githubID
        self.login = login
        self.sealedToken = sealedToken
        self.broken = broken
        self.linkedAt = linkedAt
    }
}

/// A background scan of some of a user's repositories.
public struct ScanJob: Sendable, Equatable {
    public enum Status: String, Sendable { case queued, running, completed, failed }

    public var id: String
    public var userID: UserID
    public var status: Status
    public var repositories: [String]
    /// JSON object: repositories_done, files_scanned, bytes_scanned, blobs_cached, skipped_binary, skipped_too_large.
    public var progress: String
    public var newFindings: Int
    public var errorCode: String?
    public var errorMessage: String?
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(id: String, userID: UserID, repositories: [String], createdAt: Date) {
        self.id = id
        self.userID = userID
        self.status = .queued
        self.repositories = repositories
        self.progress = "{}"
        self.newFindings = 0
        self.attempts = 0
        self.createdAt = createdAt
    }
}

/// A secret found in a repository. The secret itself is never stored: `fingerprint` is keyed,
/// `redacted` shows at most four characters at each end.
public struct SecretFinding: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case open, resolved, falsePositive = "false_positive", revoked }

    public var id: String
    public var userID: UserID
    public var repository: String
    public var path: String
    public var ruleID: String
    public var fingerprint: String
    public var line: Int
    public var description: String
    public var severity: String
    public var redacted: String
    public var commitSHA: String
    public var status: Status
    public var matchesVaultItem: String?
    public var firstSeenAt: Date
    public var lastSeenAt: Date
    public var lastScanID: String
    public var sequence: Int64 = 0

    public init(
        id: String, userID: UserID, repository: String, path: String, ruleID: String, fingerprint: String, line: Int, description: String,
        severity: String, redacted: String, commitSHA: String, status: Status, matchesVaultItem: String?, firstSeenAt: Date,
        lastSeenAt: Date, lastScanID: String
    ) {
        self.id = id
        self.userID = userID
        self.repository = repository
        self.path = path
        self.ruleID = ruleID
        self.fingerprint = fingerprint
        self.line = line
        self.description = description
        self.severity = severity
        self.redacted = redacted
        self.commitSHA = commitSHA
        self.status = status
        self.matchesVaultItem = matchesVaultItem
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.lastScanID = lastScanID
    }
}

/// GitHub links, OAuth flows, scan jobs, the per-blob result cache and findings.
public struct SQLGitHubRepository: Sendable {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    // MARK: Links

    public func link(_ link: GitHubLink) throws {
        try database.write { connection in
            _ = try connection.execute("DELETE FROM github_links WHERE user_id = $1", [.text(link.userID.rawValue)])
            _ = try connection.execute(
                "INSERT INTO github_links (user_id, github_id, login, sealed_token, broken, linked_at) VALUES ($1, $2, $3, $4, 0, $5)",
                [.text(link.userID.rawValue), .integer(link.githubID), .text(link.login), .blob(link.sealedToken), .timestamp(link.linkedAt)])
        }
    }

    public func link(userID: UserID) throws -> GitHubLink? {
        try database.query("SELECT * FROM github_links WHERE user_id = $1", [.text(userID.rawValue)]).first.map(Self.link)
    }

    public func link(githubID: Int64) throws -> GitHubLink? {
        try database.query("SELECT * FROM github_links WHERE github_id = $1", [.integer(githubID)]).first.map(Self.link)
    }

    public func markBroken(userID: UserID) throws {
        try database.write { connection in
            _ = try connection.execute("UPDATE github_links SET broken = 1 WHERE user_id = $1", [.text(userID.rawValue)])
        }
    }

    /// Deletes the link and its token; true when there was one.
    public func unlink(userID: UserID) throws -> Bool {
        try database.write { connection in
            _ = try connection.execute("DELETE FROM scanned_blobs WHERE user_id = $1", [.text(userID.rawValue)])
            return try connection.execute("DELETE FROM github_links WHERE user_id = $1", [.text(userID.rawValue)]) > 0
        }
    }

    static func link(_ row: Row) throws -> GitHubLink {
        GitHubLink(
            userID: UserID(try row.string("user_id")), githubID: try row.integer("github_id"), login: try row.string("login"),
            sealedToken: try row.bytes("sealed_token"), broken: try row.integer("broken") != 0, linkedAt: try row.date("linked_at"))
    }

    // MARK: OAuth flows and hand-offs (single use, short-lived; only hashes are stored)

    public func createFlow(stateHash: String, userID: UserID?, expiresAt: Date) throws {
        try database.write { connection in
            _ = try connection.execute("DELETE FROM oauth_flows WHERE expires_at < $1", [.timestamp(Date())])
            _ = try connection.execute(
                "INSERT INTO oauth_flows (state_hash, user_id, expires_at) VALUES ($1, $2, $3)",
                [.text(stateHash), userID.map { .text($0.rawValue) } ?? .null, .timestamp(expiresAt)])
        }
    }

    /// Consumes a flow: nil when unknown, already used or expired. `userID` is set for a link flow.
    public func takeFlow(stateHash: String, now: Date) throws -> (found: Bool, userID: UserID?) {
        try database.write { connection in
            let rows = try connection.query(
                "DELETE FROM oauth_flows WHERE state_hash = $1 RETURNING user_id, expires_at", [.text(stateHash)])
            guard let row = rows.first, try row.date("expires_at") >= now else { return (false, nil) }
            return (true, try row.optionalString("user_id").map { UserID($0) })
        }
    }

    public func createHandoff(codeHash: String, userID: UserID, action: String, expiresAt: Date) throws {
        try database.write { connection in
            _ = try connection.execute("DELETE FROM oauth_handoffs WHERE expires_at < $1", [.timestamp(Date())])
            _ = try connection.execute(
                "INSERT INTO oauth_handoffs (code_hash, user_id, action, expires_at) VALUES ($1, $2, $3, $4)",
                [.text(codeHash), .text(userID.rawValue), .text(action), .timestamp(expiresAt)])
        }
    }

    public func takeHandoff(codeHash: String, now: Date) throws -> UserID? {
        try database.write { connection in
            let rows = try connection.query("DELETE FROM oauth_handoffs WHERE code_hash = $1 RETURNING user_id, expires_at", [.text(codeHash)])
            guard let row = rows.first, try row.date("expires_at") >= now else { return nil }
            return UserID(try row.string("user_id"))
        }
    }

    // MARK: Scan jobs

    public func createJob(_ job: ScanJob) throws {
        try database.write { connection in
            _ = try connection.execute(
                """
                INSERT INTO scan_jobs (id, user_id, status, repositories, progress, new_findings, attempts, created_at)
                VALUES ($1, $2, 'queued', $3, '{}', 0, 0, $4)
                """, [.text(job.id), .text(job.userID.rawValue), .text(Self.encode(job.repositories)), .timestamp(job.createdAt)])
        }
    }

    public func job(id: String, userID: UserID) throws -> ScanJob? {
        try database.query("SELECT * FROM scan_jobs WHERE id = $1 AND user_id = $2", [.text(id), .text(userID.rawValue)]).first.map(Self.job)
    }

    /// Claims the oldest queued job, or a running one whose lease ran out (its server died), for
    /// `lease` seconds. Servers sharing PostgreSQL never claim the same job at once.
    public func claimJob(now: Date, lease: TimeInterval) throws -> ScanJob? {
        let skipLocked = database.backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try database.write { connection in
            try connection.query(
                """
                UPDATE scan_jobs SET status = 'running', locked_until = $2, attempts = attempts + 1,
                       started_at = COALESCE(started_at, $1)
                WHERE seq = (SELECT seq FROM scan_jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $1)
                             ORDER BY seq LIMIT 1\(skipLocked))
                RETURNING *
                """, [.timestamp(now), .timestamp(now.addingTimeInterval(lease))]
            ).first.map(Self.job)
        }
    }

    /// Saves progress and extends the lease; false when the job is no longer this worker's.
    @discardableResult
    public func updateJob(id: String, progress: String, newFindings: Int, leaseUntil: Date) throws -> Bool {
        try database.write { connection in
            try connection.execute(
                "UPDATE scan_jobs SET progress = $2, new_findings = $3, locked_until = $4 WHERE id = $1 AND status = 'running'",
                [.text(id), .text(progress), .integer(Int64(newFindings)), .timestamp(leaseUntil)]) > 0
        }
    }

    public func finishJob(
        id: String, status: ScanJob.Status, progress: String, newFindings: Int, errorCode: String?, errorMessage: String?, at date: Date
    ) throws {
        try database.write { connection in
            _ = try connection.execute(
                """
                UPDATE scan_jobs SET status = $2, progress = $3, new_findings = $4, error_code = $5, error_message = $6,
                       finished_at = $7, locked_until = NULL
                WHERE id = $1
                """,
                [
                    .text(id), .text(status.rawValue), .text(progress), .integer(Int64(newFindings)), errorCode.map { .text($0) } ?? .null,
                    errorMessage.map { .text($0) } ?? .null, .timestamp(date),
                ])
        }
    }

    static func job(_ row: Row) throws -> ScanJob {
        var job = ScanJob(
            id: try row.string("id"), userID: UserID(try row.string("user_id")),
            repositories: (try? JSONDecoder().decode([String].self, from: Data(try row.string("repositories").utf8))) ?? [],
            createdAt: try row.date("created_at"))
        job.status = ScanJob.Status(rawValue: try row.string("status")) ?? .failed
        job.progress = try row.string("progress")
        job.newFindings = Int(try row.integer("new_findings"))
        job.errorCode = try row.optionalString("error_code")
        job.errorMessage = try row.optionalString("error_message")
        job.attempts = Int(try row.integer("attempts"))
        job.startedAt = try row.optionalInteger("started_at").map(Date.init(unixSeconds:))
        job.finishedAt = try row.optionalInteger("finished_at").map(Date.init(unixSeconds:))
        return job
    }

    static func encode(_ value: some Encodable) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    // MARK: Per-blob results (keyed by git blob SHA and rule-set version)

    public func cachedResults(userID: UserID, blobSHAs: [String], rulesVersion: String) throws -> [String: String] {
        var results: [String: String] = [:]
        for chunk in stride(from: 0, to: blobSHAs.count, by: 200).map({ Array(blobSHAs[$0..<min($0 + 200, blobSHAs.count)]) }) {
            let placeholders = chunk.indices.map { "$\($0 + 3)" }.joined(separator: ", ")
            let rows = try database.query(
                "SELECT blob_sha, results FROM scanned_blobs WHERE user_id = $1 AND rules_version = $2 AND blob_sha IN (\(placeholders))",
                [.text(userID.rawValue), .text(rulesVersion)] + chunk.map { .text($0) })
            for row in rows { results[try row.string("blob_sha")] = try row.string("results") }
        }
        return results
    }

    public func storeResults(userID: UserID, blobSHA: String, rulesVersion: String, results: String, at date: Date) throws {
        try database.write { connection in
            _ = try connection.execute(
                """
                INSERT INTO scanned_blobs (user_id, blob_sha, rules_version, results, created_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (user_id, blob_sha, rules_version) DO NOTHING
                """, [.text(userID.rawValue), .text(blobSHA), .text(rulesVersion), .text(results), .timestamp(date)])
        }
    }

    // MARK: Findings

    /// The user's server-encrypted items by password fingerprint (keyed, see PasswordsController).
    public func vaultPasswordFingerprints(userID: UserID) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try database.query(
            "SELECT id, password_fingerprint FROM items WHERE user_id = $1 AND password_fingerprint IS NOT NULL ORDER BY seq",
            [.text(userID.rawValue)])
        {
            let fingerprint = try row.string("password_fingerprint")
            if result[fingerprint] == nil { result[fingerprint] = try row.string("id") }
        }
        return result
    }

    /// Records what one scan saw in one repository, in one transaction: new findings are
    /// inserted (open), known ones updated (a resolved one reopens), and open ones the scan did
    /// not see are resolved. Returns the findings that count as new (never seen, or reopened).
    public func recordScan(
        userID: UserID, repository: String, scanID: String, commitSHA: String, seen: [SecretFinding], at date: Date
    ) throws -> [SecretFinding] {
        try database.write { connection in
            var fresh: [SecretFinding] = []
            for finding in seen {
                let existing = try connection.query(
                    "SELECT id, status FROM secret_findings WHERE user_id = $1 AND repository = $2 AND path = $3 AND rule_id = $4 AND fingerprint = $5",
                    [.text(userID.rawValue), .text(repository), .text(finding.path), .text(finding.ruleID), .text(finding.fingerprint)]
                ).first
                if let existing {
                    let status = try existing.string("status")
                    let reopened = status == SecretFinding.Status.resolved.rawValue
                    _ = try connection.execute(
                        """
                        UPDATE secret_findings SET line = $2, redacted = $3, commit_sha = $4, last_seen_at = $5, last_scan_id = $6,
                               matches_vault_item = $7, status = $8
                        WHERE id = $1
                        """,
                        [
                            .text(try existing.string("id")), .integer(Int64(finding.line)), .text(finding.redacted), .text(commitSHA),
                            .timestamp(date), .text(scanID), finding.matchesVaultItem.map { .text($0) } ?? .null,
                            .text(reopened ? SecretFinding.Status.open.rawValue : status),
                        ])
                    if reopened { fresh.append(finding) }
                } else {
                    _ = try connection.execute(
                        """
                        INSERT INTO secret_findings (id, user_id, repository, path, rule_id, fingerprint, line, description, severity, redacted,
                            commit_sha, status, matches_vault_item, first_seen_at, last_seen_at, last_scan_id)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $13, $14)
                        """,
                        [
                            .text(finding.id), .text(userID.rawValue), .text(repository), .text(finding.path), .text(finding.ruleID),
                            .text(finding.fingerprint), .integer(Int64(finding.line)), .text(finding.description), .text(finding.severity),
                            .text(finding.redacted), .text(commitSHA), finding.matchesVaultItem.map { .text($0) } ?? .null, .timestamp(date),
                            .text(scanID),
                        ])
                    fresh.append(finding)
                }
            }
            _ = try connection.execute(
                """
                UPDATE secret_findings SET status = 'resolved', last_scan_id = $3
                WHERE user_id = $1 AND repository = $2 AND status = 'open' AND last_scan_id <> $3
                """, [.text(userID.rawValue), .text(repository), .text(scanID)])
            return fresh
        }
    }

    public struct FindingFilter: Sendable {
        public var scanID: String?
        public var repository: String?
        public var status: SecretFinding.Status?
        public init(scanID: String? = nil, repository: String? = nil, status: SecretFinding.Status? = nil) {
            self.scanID = scanID
            self.repository = repository
            self.status = status
        }
    }

    /// Newest first, keyset-paginated on `seq`.
    public func findings(userID: UserID, filter: FindingFilter, before sequence: Int64?, limit: Int) throws -> [SecretFinding] {
        var conditions = ["user_id = $1"]
        var parameters: [SQLValue] = [.text(userID.rawValue)]
        func add(_ condition: String, _ value: SQLValue) {
            parameters.append(value)
            conditions.append(condition.replacingOccurrences(of: "?", with: "$\(parameters.count)"))
        }
        if let scanID = filter.scanID { add("last_scan_id = ?", .text(scanID)) }
        if let repository = filter.repository { add("repository = ?", .text(repository)) }
        if let status = filter.status { add("status = ?", .text(status.rawValue)) }
        if let sequence { add("seq < ?", .integer(sequence)) }
        parameters.append(.integer(Int64(limit)))
        return try database.query(
            "SELECT * FROM secret_findings WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq DESC LIMIT $\(parameters.count)", parameters
        ).map(Self.finding)
    }

    public func finding(id: String, userID: UserID) throws -> SecretFinding? {
        try database.query("SELECT * FROM secret_findings WHERE id = $1 AND user_id = $2", [.text(id), .text(userID.rawValue)]).first.map(
            Self.finding)
    }

    public func setStatus(id: String, userID: UserID, status: SecretFinding.Status) throws -> SecretFinding? {
        try database.write { connection in
            _ = try connection.execute(
                "UPDATE secret_findings SET status = $3 WHERE id = $1 AND user_id = $2", [.text(id), .text(userID.rawValue), .text(status.rawValue)])
        }
        return try finding(id: id, userID: userID)
    }

    static func finding(_ row: Row) throws -> SecretFinding {
        var finding = SecretFinding(
            id: try row.string("id"), userID: UserID(try row.string("user_id")), repository: try row.string("repository"),
            path: try row.string("path"), ruleID: try row.string("rule_id"), fingerprint: try row.string("fingerprint"),
            line: Int(try row.integer("line")), description: try row.string("description"), severity: try row.string("severity"),
            redacted: try row.string("redacted"), commitSHA: try row.string("commit_sha"),
            status: SecretFinding.Status(rawValue: try row.string("status")) ?? .open, matchesVaultItem: try row.optionalString("matches_vault_item"),
            firstSeenAt: try row.date("first_seen_at"), lastSeenAt: try row.date("last_seen_at"), lastScanID: try row.string("last_scan_id"))
        finding.sequence = try row.integer("seq")
        return finding
    }
}
