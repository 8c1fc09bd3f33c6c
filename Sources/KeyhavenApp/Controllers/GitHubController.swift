import Foundation
import KeyhavenGitHub
import KeyhavenHTTP
import KeyhavenStorage

/// `/auth/github/*` (sign in with GitHub, link, unlink) and `/github/*` (repositories, scans,
/// findings). Every finding and scan is scoped to its owner: another user's id answers 404.
struct GitHubController {
    let accounts: GitHubAccounts
    let repository: SQLGitHubRepository
    let worker: ScanWorker
    let users: SQLUserRepository
    let twoFactor: TwoFactorService
    let sessionStarter: SessionStarter
    let audit: AuditRecorder
    let notifier: Notifier
    let cursors: CursorSigner
    let limiter: RateLimiter
    let settings: SecuritySettings
    let authenticator: Authenticator

    func register(on router: inout Router) {
        router.get("/auth/github/login") { request, context in try login(request, context) }
        router.get("/auth/github/callback") { request, context in try callback(request, context) }
        router.post("/auth/github/exchange") { request, context in try exchange(request, context) }
        router.delete("/auth/github", handler: authenticator.require { request, context in try unlink(request, context) })
        router.get("/github/repos", handler: authenticator.require { request, context in try repos(request, context) })
        router.post("/github/scan", handler: authenticator.require { request, context in try scan(request, context) })
        router.get("/github/scans/{id}", handler: authenticator.require { _, context in try scanStatus(context) })
        router.get("/github/scan-results", handler: authenticator.require { request, context in try results(request, context) })
        router.patch("/github/scan-results/{id}", handler: authenticator.require { request, context in try updateFinding(request, context) })
    }

    // MARK: - Sign in and link

    private func login(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "github-login:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
        // Signed in: this flow links GitHub to the account. Otherwise it signs in (or signs up).
        var linking: UserID?
        if request.headers["Authorization"] != nil {
            linking = try authenticator.authenticate(request, context: context).user.id
        }
        struct Body: Encodable { var authorizeUrl: String }
        return try Response.json(Body(authorizeUrl: try accounts.start(linking: linking).absoluteString))
    }

    private func callback(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "github-login:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
        if let error = request.query["error"] {
            throw HTTPError.badRequest("GitHub did not authorize Keyhaven (\(error.prefix(64))).", code: "github_denied")
        }
        guard let code = request.query["code"], let state = request.query["state"], !code.isEmpty, !state.isEmpty, code.count < 512, state.count < 512
        else { throw HTTPError.badRequest("The callback needs code and state.", code: "invalid_oauth_callback") }
        let result = try accounts.complete(code: code, state: state)
        switch result.outcome {
        case .linked, .created:
            if result.outcome == .created { try audit.record(.signup, user: result.user.id, context, request, detail: "github") }
            let login = (try repository.link(userID: result.user.id))?.login ?? ""
            try audit.record(.githubLinked, user: result.user.id, context, request, detail: login)
            notifier.notify(
                result.user, .githubLinked, title: "GitHub account linked",
                body: "The GitHub account \(login) was linked to your Keyhaven account. If this was not you, unlink it and change your password.")
        case .signedIn:
            break
        }
        struct Body: Encodable {
            var code: String
            var action: String
            var expiresIn: Int
        }
        // A one-time code, not tokens: the client trades it at POST /auth/github/exchange.
        return try Response.json(
            Body(code: result.handoff, action: result.outcome.rawValue, expiresIn: Int(GitHubAccounts.handoffLifetime)),
            headers: ["Cache-Control": "no-store", "Referrer-Policy": "no-referrer"])
    }

    struct ExchangeBody: RequestBody {
        static let fieldNames: Set<String> = ["code"]
        var code: String
    }

    private func exchange(_ request: Request, _ context: RequestContext) throws -> Response {
        try limiter.take(from: "github-exchange:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
        let body = try request.decode(ExchangeBody.self)
        let user = try accounts.takeHandoff(body.code)
        // GitHub vouched for the first factor; the account's second factor is still required.
        if let challenge = try twoFactor.loginChallenge(for: user) { return challenge }
        let issued = try sessionStarter.start(for: user, context: context, request: request)
        try audit.record(.loginSucceeded, user: user.id, context, request, detail: "github")
        return try Response.json(issued)
    }

    private func unlink(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        if try repository.unlink(userID: context.user.id) {
            try audit.record(.githubUnlinked, user: context.user.id, context.request, request)
        }
        return Response(status: 204)
    }

    // MARK: - Repositories and scans

    static let linkBroken = HTTPError.conflict("GitHub no longer accepts the stored token; link GitHub again.", code: "github_token_invalid")

    private func linkedClient(_ userID: UserID) throws -> GitHubClient {
        _ = try accounts.oauth()  // 503 when GitHub is not configured
        guard let (client, link) = try accounts.client(for: userID) else {
            throw HTTPError.conflict("Link a GitHub account first (GET /auth/github/login while signed in).", code: "github_not_linked")
        }
        if link.broken {
            throw Self.linkBroken
        }
        return client
    }

    private func repos(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        let userID = context.user.id
        let client = try linkedClient(userID)
        let number =
            try page.cursor.map { cursor -> Int in
                guard let value = Int(try cursors.position(from: cursor, userID: userID)), value >= 1 else {
                    throw HTTPError.badRequest("The cursor is not one this server issued.", code: "invalid_cursor")
                }
                return value
            } ?? 1
        let perPage = min(page.limit, 100)
        let listed: (items: [GitHubRepository], hasMore: Bool)
        do {
            listed = try client.repositories(page: number, perPage: perPage)
        } catch GitHubError.unauthorized {
            try repository.markBroken(userID: userID)
            throw Self.linkBroken
        } catch let error as GitHubError {
            throw HTTPError(status: 502, code: error.code, detail: error.description)
        }
        struct Item: Encodable {
            var fullName: String
            var `private`: Bool
            var defaultBranch: String
            var htmlUrl: String
        }
        return try Response.json(
            Page(
                items: listed.items.map { Item(fullName: $0.fullName, private: $0.isPrivate, defaultBranch: $0.defaultBranch, htmlUrl: $0.htmlURL) },
                nextCursor: listed.hasMore ? cursors.cursor(position: String(number + 1), userID: userID) : nil))
    }

    struct ScanBody: RequestBody {
        static let fieldNames: Set<String> = ["repositories"]
        var repositories: [String]
    }

    private func scan(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(ScanBody.self)
        var names: [String] = []
        for name in body.repositories where !names.contains(name) {
            guard (try? GitHubClient.checked(name)) != nil else {
                throw HTTPError.validationFailed([.init(field: "repositories", message: "\(name.prefix(200)) is not owner/name")])
            }
            names.append(name)
        }
        guard (1...100).contains(names.count) else {
            throw HTTPError.validationFailed([.init(field: "repositories", message: "name from 1 to 100 repositories")])
        }
        _ = try linkedClient(context.user.id)
        let job = ScanJob(id: UUID().uuidString.lowercased(), userID: context.user.id, repositories: names, createdAt: Date())
        try repository.createJob(job)
        worker.wake()
        struct Body: Encodable {
            var scanId: String
            var status: String
        }
        return try Response.json(Body(scanId: job.id, status: "queued"), status: 202, headers: ["Location": "/github/scans/\(job.id)"])
    }

    private func scanStatus(_ context: AuthenticatedContext) throws -> Response {
        guard let job = try repository.job(id: try context.request.parameter("id"), userID: context.user.id) else { throw HTTPError.notFound() }
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("id", job.id)
        writer.field("status", job.status.rawValue)
        writer.beginArray(key: "repositories")
        for name in job.repositories { writer.element(name) }
        writer.endArray()
        writer.raw(key: "progress", job.progress)
        writer.field("new_findings", job.newFindings)
        if let code = job.errorCode {
            writer.beginObject(key: "error")
            writer.field("code", code)
            writer.field("message", job.errorMessage ?? "")
            writer.endObject()
        }
        writer.timestamp("created_at", job.createdAt)
        if let started = job.startedAt { writer.timestamp("started_at", started) } else { writer.field("started_at", nil as String?) }
        if let finished = job.finishedAt { writer.timestamp("finished_at", finished) } else { writer.field("finished_at", nil as String?) }
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    private func results(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        let userID = context.user.id
        var filter = SQLGitHubRepository.FindingFilter(scanID: request.query["scan_id"], repository: request.query["repository"])
        if let status = request.query["status"] {
            guard let parsed = SecretFinding.Status(rawValue: status) else {
                throw HTTPError.badRequest("status must be open, resolved, false_positive or revoked.", code: "invalid_query")
            }
            filter.status = parsed
        }
        let before = try page.cursor.map { try cursors.sequence(from: $0, userID: userID) }
        let found = try repository.findings(userID: userID, filter: filter, before: before, limit: page.limit + 1)
        let shown = Array(found.prefix(page.limit))
        var writer = JSONWriter(capacity: 256 + shown.count * 400)
        writer.beginObject()
        writer.beginArray(key: "items")
        for finding in shown { Self.write(finding, to: &writer) }
        writer.endArray()
        writer.field("next_cursor", found.count > page.limit ? shown.last.map { cursors.cursor(sequence: $0.sequence, userID: userID) } : nil)
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    struct FindingUpdate: RequestBody {
        static let fieldNames: Set<String> = ["status"]
        var status: String
    }

    private func updateFinding(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(FindingUpdate.self)
        guard let status = SecretFinding.Status(rawValue: body.status) else {
            throw HTTPError.validationFailed([.init(field: "status", message: "must be open, resolved, false_positive or revoked")])
        }
        let id = try context.request.parameter("id")
        guard try repository.finding(id: id, userID: context.user.id) != nil,
            let updated = try repository.setStatus(id: id, userID: context.user.id, status: status)
        else { throw HTTPError.notFound() }
        try audit.record(.findingUpdated, user: context.user.id, context.request, request, detail: "finding_id=\(id) status=\(status.rawValue)")
        var writer = JSONWriter()
        Self.write(updated, to: &writer)
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    static func write(_ finding: SecretFinding, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("id", finding.id)
        writer.field("repository", finding.repository)
        writer.field("path", finding.path)
        writer.field("line", finding.line)
        writer.field("rule_id", finding.ruleID)
        writer.field("description", finding.description)
        writer.field("severity", finding.severity)
        writer.field("redacted", finding.redacted)
        writer.field("commit_sha", finding.commitSHA)
        writer.timestamp("first_seen_at", finding.firstSeenAt)
        writer.timestamp("last_seen_at", finding.lastSeenAt)
        writer.field("status", finding.status.rawValue)
        writer.field("matches_vault_item", finding.matchesVaultItem)
        writer.endObject()
    }
}
