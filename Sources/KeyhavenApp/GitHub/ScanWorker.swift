import Foundation
import KeyhavenCrypto
import KeyhavenGitHub
import KeyhavenScanner
import KeyhavenStorage

/// Runs GitHub scans as durable jobs: claims one at a time with a lease (servers sharing
/// PostgreSQL never run the same job at once; a job whose server died is claimed again when its
/// lease runs out and re-run, cheaply, from the per-blob cache), scans the default branch head of
/// each repository (tree + blobs; a blob already scanned with this rule-set version is not
/// downloaded again), records findings, and notifies the user of new ones.
public final class ScanWorker: @unchecked Sendable {
    let repository: SQLGitHubRepository
    let accounts: GitHubAccounts
    let dataKeys: DataKeys
    let rules: RuleSet
    /// Description and severity by rule id, for findings read back from the blob cache.
    let ruleDetails: [String: (description: String, severity: String)]
    let notifier: Notifier
    let users: SQLUserRepository
    let audit: any AuditLogRepository
    let logger: Logger
    let publicURL: URL
    var maximumFileSize = 5 << 20
    /// See `Configuration.scanLease`; progress is saved (renewing it) after every repository and every 50 files.
    var leaseDuration: TimeInterval = 120

    private var loop: BackgroundLoop!

    init(
        repository: SQLGitHubRepository, accounts: GitHubAccounts, dataKeys: DataKeys, rules: RuleSet, notifier: Notifier,
        users: SQLUserRepository, audit: any AuditLogRepository, logger: Logger, publicURL: URL
    ) {
        self.repository = repository
        self.accounts = accounts
        self.dataKeys = dataKeys
        self.rules = rules
        ruleDetails = Dictionary(rules.rules.map { ($0.id, ($0.description, $0.severity.rawValue)) }, uniquingKeysWith: { first, _ in first })
        self.notifier = notifier
        self.users = users
        self.audit = audit
        self.logger = logger
        self.publicURL = publicURL
        loop = BackgroundLoop(name: "keyhaven-scans", interval: 2) { [weak self] in self?.runDue() }
    }

    struct Progress: Codable {
        var repositoriesDone = 0
        var filesScanned = 0
        var bytesScanned = 0
        var blobsCached = 0
        var skippedBinary = 0
        var skippedTooLarge = 0
        var repositoryErrors: [String: String] = [:]

        enum CodingKeys: String, CodingKey {
            case repositoriesDone = "repositories_done"
            case filesScanned = "files_scanned"
            case bytesScanned = "bytes_scanned"
            case blobsCached = "blobs_cached"
            case skippedBinary = "skipped_binary"
            case skippedTooLarge = "skipped_too_large"
            case repositoryErrors = "repository_errors"
        }

        var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
    }

    /// What a blob held, cached by blob SHA: never the secret, only where and what.
    struct BlobResult: Codable {
        var binary = false
        var findings: [Hit] = []
        struct Hit: Codable {
            var line: Int
            var rule: String
            var fingerprint: String
            var redacted: String
        }
    }

    struct JobStopped: Error {}

    /// Runs every job that is due; returns how many ran (tests call this directly).
    @discardableResult
    public func runDue() -> Int {
        var ran = 0
        while let job = try? repository.claimJob(now: Date(), lease: leaseDuration) {
            run(job)
            ran += 1
        }
        return ran
    }

    func run(_ job: ScanJob) {
        var progress = Progress()
        var newFindings: [SecretFinding] = []
        if job.attempts == 1 { record(.scanStarted, job, detail: job.repositories.joined(separator: ",")) }
        do {
            guard let (client, link) = try accounts.client(for: job.userID) else {
                throw ScanFailure(code: "github_not_linked", message: "GitHub is not linked to this account.")
            }
            if link.broken { throw GitHubError.unauthorized }
            let key = try dataKeys.key(for: job.userID)
            let fingerprintKey = try HKDFSHA256.deriveKey(
                from: key.bytes, salt: [], info: Array("password-fingerprint-v1".utf8), outputByteCount: 32)
            let scanner = SecretScanner(ruleSet: rules, fingerprintKey: fingerprintKey)
            let workspace = scanner.makeWorkspace()
            // Vault items by the first 128 bits of their password fingerprint (the finding's length).
            let vault = Dictionary(
                try repository.vaultPasswordFingerprints(userID: job.userID).map { (String($0.key.prefix(32)), $0.value) },
                uniquingKeysWith: { first, _ in first })
            for name in job.repositories {
                do {
                    newFindings += try scanRepository(
                        name, job: job, client: client, scanner: scanner, workspace: workspace, vault: vault, progress: &progress)
                } catch GitHubError.notFound {
                    progress.repositoryErrors[name] = "github_not_found"
                }
                progress.repositoriesDone += 1
                guard try repository.updateJob(id: job.id, progress: progress.json, newFindings: newFindings.count, leaseUntil: lease()) else {
                    throw JobStopped()
                }
            }
            if progress.repositoryErrors.count == job.repositories.count {
                throw ScanFailure(code: "github_not_found", message: "None of the repositories could be found on GitHub.")
            }
            try repository.finishJob(
                id: job.id, status: .completed, progress: progress.json, newFindings: newFindings.count, errorCode: nil, errorMessage: nil, at: Date()
            )
            record(.scanCompleted, job, detail: "new_findings=\(newFindings.count)")
            notify(job, newFindings)
        } catch is JobStopped {
            logger.warning("scan job lost its lease; another worker has it", ["scan_id": .string(job.id)])
        } catch {
            let (code, message) = Self.describe(error)
            if code == "github_token_invalid" { try? repository.markBroken(userID: job.userID) }
            logger.warning("scan failed", ["scan_id": .string(job.id), "code": .string(code)])
            try? repository.finishJob(
                id: job.id, status: .failed, progress: progress.json, newFindings: newFindings.count, errorCode: code, errorMessage: message,
                at: Date())
            record(.scanFailed, job, detail: code)
        }
    }

    struct ScanFailure: Error {
        let code: String
        let message: String
    }

    static func describe(_ error: any Error) -> (String, String) {
        switch error {
        case let failure as ScanFailure: return (failure.code, failure.message)
        case let github as GitHubError: return (github.code, github.description)
        default: return ("scan_error", "The scan stopped because of an internal error.")
        }
    }

    private func lease() -> Date { Date().addingTimeInterval(leaseDuration) }

    private func scanRepository(
        _ name: String, job: ScanJob, client: GitHubClient, scanner: SecretScanner, workspace: ScanWorkspace, vault: [String: String],
        progress: inout Progress
    ) throws -> [SecretFinding] {
        let details = try client.repository(name)
        let head = try client.head(details.fullName, branch: details.defaultBranch)
        let blobs = try client.blobs(details.fullName, tree: head.tree)
        let cached = try repository.cachedResults(userID: job.userID, blobSHAs: blobs.map(\.sha), rulesVersion: rules.version)
        var seen: [String: SecretFinding] = [:]
        var order: [String] = []
        for (index, blob) in blobs.enumerated() {
            if let size = blob.size, size > maximumFileSize {
                progress.skippedTooLarge += 1
                continue
            }
            let result: BlobResult
            if let json = cached[blob.sha], let decoded = try? JSONDecoder().decode(BlobResult.self, from: Data(json.utf8)) {
                result = decoded
                progress.blobsCached += 1
            } else {
                let bytes = try client.blob(details.fullName, sha: blob.sha)
                progress.bytesScanned += bytes.count
                if bytes.count > maximumFileSize {
                    progress.skippedTooLarge += 1
                    continue
                }
                result = bytes.withUnsafeBufferPointer { buffer in
                    let head = UnsafeBufferPointer(rebasing: buffer.prefix(8192))
                    if head.contains(0) { return BlobResult(binary: true) }
                    let found = scanner.scan(buffer, path: blob.path, traits: FileTraits(path: blob.path, prefix: head), workspace: workspace)
                    return BlobResult(
                        findings: found.map { .init(line: $0.line, rule: $0.ruleID, fingerprint: $0.fingerprint, redacted: $0.redacted) })
                }
                let json = String(decoding: (try? JSONEncoder().encode(result)) ?? Data(), as: UTF8.self)
                try repository.storeResults(userID: job.userID, blobSHA: blob.sha, rulesVersion: rules.version, results: json, at: Date())
            }
            if result.binary {
                progress.skippedBinary += 1
                continue
            }
            progress.filesScanned += 1
            for hit in result.findings {
                let key = "\(blob.path)\u{0}\(hit.rule)\u{0}\(hit.fingerprint)"
                guard seen[key] == nil else { continue }
                let (description, severity) = ruleDetails[hit.rule] ?? (hit.rule, "high")
                let now = Date()
                seen[key] = SecretFinding(
                    id: UUID().uuidString.lowercased(), userID: job.userID, repository: details.fullName, path: blob.path, ruleID: hit.rule,
                    fingerprint: hit.fingerprint, line: hit.line, description: description, severity: severity, redacted: hit.redacted,
                    commitSHA: head.commit, status: .open, matchesVaultItem: vault[hit.fingerprint], firstSeenAt: now, lastSeenAt: now,
                    lastScanID: job.id)
                order.append(key)
            }
            if index % 50 == 49 {
                guard try repository.updateJob(id: job.id, progress: progress.json, newFindings: 0, leaseUntil: lease()) else { throw JobStopped() }
            }
        }
        return try repository.recordScan(
            userID: job.userID, repository: details.fullName, scanID: job.id, commitSHA: head.commit, seen: order.compactMap { seen[$0] }, at: Date())
    }

    private func notify(_ job: ScanJob, _ fresh: [SecretFinding]) {
        guard !fresh.isEmpty, let user = try? users.find(id: job.userID) else { return }
        var counts: [String: Int] = [:]
        for finding in fresh { counts[finding.repository, default: 0] += 1 }
        let lines = counts.sorted { $0.key < $1.key }.map { "- \($0.key): \($0.value) new" }
        let link = publicURL.absoluteString.trimmingSuffix("/") + "/github/scan-results?scan_id=\(job.id)"
        notifier.notify(
            user, .secretsFound,
            title: "\(fresh.count) new secret\(fresh.count == 1 ? "" : "s") found in \(counts.count) repositor\(counts.count == 1 ? "y" : "ies")",
            body: "A scan of your GitHub repositories found secrets not seen before:\n\(lines.joined(separator: "\n"))\n\n"
                + "Revoke each one with its issuer, then mark the finding revoked. Details: \(link)")
    }

    private func record(_ kind: AuditEvent.Kind, _ job: ScanJob, detail: String) {
        try? audit.record(
            AuditEvent(
                userID: job.userID, kind: kind, createdAt: Date(), ipAddress: "background", userAgent: "keyhaven-scan-worker",
                detail: "scan_id=\(job.id) \(detail)"))
    }

    // MARK: - Background thread

    func start() { loop.start() }
    func wake() { loop.wake() }
    func stop() { loop.stop() }
}
