import Foundation
import KeyhavenHTTP
import KeyhavenHTTPClient
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp
@testable import KeyhavenGitHub

/// Sign in with GitHub, linking, repositories and background scans, end to end through the
/// local GitHub imitation (a real HTTP server on loopback).
@Suite(.serialized)
struct GitHubTests {
    static func githubToken(_ body: String) -> String { FakeTokens.checksummed(prefix: "ghp_", body: body) }

    static let patOne = githubToken("Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
    static let patTwo = githubToken("Qp4wE7rT1yU9iO3pA6sD2fG8hJ5kLz")
    static let awsKey = "AKIA" + "2E3F4G5H6J7K7ZQR"
    static let dbPassword = "Xk9!mP2vL8qR4twZ"

    struct World {
        let test: TestApplication
        let github: FakeGitHub
        var responses: [String] = []
    }

    static func world(_ backend: DatabaseBackend) throws -> World {
        let github = try FakeGitHub()
        let test = try TestApplication(
            backend,
            environment: [
                "KEYHAVEN_GITHUB_CLIENT_ID": github.clientID, "KEYHAVEN_GITHUB_CLIENT_SECRET": github.clientSecret,
                "KEYHAVEN_GITHUB_API_URL": github.baseURL.absoluteString, "KEYHAVEN_GITHUB_WEB_URL": github.baseURL.absoluteString,
            ])
        github.addAccount(.init(id: 1001, login: "octo", email: "octo@example.com"))
        github.addAccount(.init(id: 1002, login: "hubot", email: "hubot@example.com"))
        github.addAccount(.init(id: 1003, login: "mallory", email: "mallory@example.com"))
        return World(test: test, github: github)
    }

    /// Runs the OAuth web flow as a browser would; returns the callback's JSON (or its problem).
    static func oauth(_ world: World, as login: String, linkingWith token: String? = nil) throws -> Response {
        let start = world.test.client.execute("GET", "/auth/github/login", headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        guard start.status == 200, let url = (try JSONSerialization.jsonObject(with: Data(start.body)) as? [String: String])?["authorize_url"],
            let authorize = URL(string: url)
        else { throw TestFailure("login: \(start.status) \(start.bodyText)") }
        let query = URLComponents(url: authorize, resolvingAgainstBaseURL: false)?.queryItems ?? []
        #expect(query.contains { $0.name == "code_challenge_method" && $0.value == "S256" })
        #expect(query.first { $0.name == "scope" }?.value == "repo read:user user:email")
        #expect(query.first { $0.name == "state" }?.value?.count ?? 0 >= 43)
        world.github.signInAs(login)
        let redirect = try HTTPClient().send(method: "GET", url: authorize, headers: [])
        guard redirect.status == 302, let location = redirect.headers["location"], let callback = URLComponents(string: location) else {
            throw TestFailure("authorize: \(redirect.status)")
        }
        return world.test.client.execute("GET", callback.path + "?" + (callback.percentEncodedQuery ?? ""))
    }

    static func signInWithGitHub(_ world: World, as login: String) throws -> String {
        let callback = try oauth(world, as: login)
        guard callback.status == 200, let code = (try JSONSerialization.jsonObject(with: Data(callback.body)) as? [String: Any])?["code"] as? String
        else { throw TestFailure("callback: \(callback.status) \(callback.bodyText)") }
        let exchanged = try world.test.client.execute("POST", "/auth/github/exchange", json: ["code": code])
        guard exchanged.status == 200 else { throw TestFailure("exchange: \(exchanged.status) \(exchanged.bodyText)") }
        return try exchanged.decode(TestApplication.Tokens.self).accessToken
    }

    static func json(_ response: Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    static func scan(_ world: World, token: String, _ repositories: [String]) throws -> [String: Any] {
        let queued = try world.test.client.execute(
            "POST", "/github/scan", json: ["repositories": repositories], headers: ["Authorization": "Bearer \(token)"])
        guard queued.status == 202, let id = json(queued)["scan_id"] as? String else {
            throw TestFailure("scan: \(queued.status) \(queued.bodyText)")
        }
        #expect(queued.headers["Location"] == "/github/scans/\(id)")
        #expect(json(world.test.get("/github/scans/\(id)", token: token))["status"] as? String == "queued")
        world.test.app.scans.runDue()
        return json(world.test.get("/github/scans/\(id)", token: token))
    }

    static func findings(_ world: World, token: String, query: String = "") -> [[String: Any]] {
        (json(world.test.get("/github/scan-results?limit=200\(query)", token: token))["items"] as? [[String: Any]]) ?? []
    }

    static let repositories: [String: [String: String]] = [
        "octo/api": [
            "README.md": "# API\nSet GITHUB_TOKEN in your environment.\n",
            "config/settings.py": "import os\nDEBUG = False\nGITHUB_TOKEN = \"\(patOne)\"\nAWS_KEY = os.environ[\"AWS_KEY\"]\n",
            "deploy/.env": "DB_HOST=db.internal\nDB_PASSWORD=\(dbPassword)\n",
        ],
        "octo/web": [
            "src/app.js": "const key = 'AKIAIOSFODNN7EXAMPLE';\nconst region = 'eu-west-1';\nconst id = '\(awsKey)';\n",
            "docs/guide.md": "Use `<your-token>` as the password: changeme\n",
        ],
        "octo/tools": ["scripts/run.sh": "#!/bin/sh\necho hello\n", "lib/util.go": "package lib\n\nfunc Add(a, b int) int { return a + b }\n"],
    ]

    @Test(arguments: TestDatabase.backends)
    func signInLinkScanRescanAndLifecycle(_ backend: DatabaseBackend) throws {
        var world = try Self.world(backend)
        let github = world.github
        for (name, files) in Self.repositories { github.setRepository(name, owner: "octo", files: files) }
        github.setBinaryFile("octo/tools", path: "bin/tool", bytes: [0x7F, 0x45, 0x4C, 0x46, 0, 0, 0] + Array(Self.patTwo.utf8))

        // Sign in with GitHub: a new account for the verified primary email.
        let token = try Self.signInWithGitHub(world, as: "octo")
        let me = Self.json(world.test.get("/auth/me", token: token))
        #expect(me["email"] as? String == "octo@example.com")
        #expect((me["github"] as? [String: Any])?["login"] as? String == "octo")
        // Signing in again reaches the same account.
        let again = try Self.signInWithGitHub(world, as: "octo")
        #expect(Self.json(world.test.get("/auth/me", token: again))["id"] as? String == me["id"] as? String)

        // Repositories across pages (limit 2 → three pages).
        var names: [String] = []
        var cursor: String? = nil
        var pages = 0
        repeat {
            let page = world.test.get("/github/repos?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(page.status == 200)
            world.responses.append(page.bodyText)
            let body = Self.json(page)
            names += ((body["items"] as? [[String: Any]]) ?? []).compactMap { $0["full_name"] as? String }
            cursor = body["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 10
        #expect(names == ["octo/api", "octo/tools", "octo/web"] && pages == 2)

        // First scan: exact findings, the binary skipped, one notification and one email.
        let first = try Self.scan(world, token: token, ["octo/api", "octo/web", "octo/tools"])
        world.responses.append("\(first)")
        #expect(first["status"] as? String == "completed")
        #expect(first["new_findings"] as? Int == 3)
        let progress = first["progress"] as? [String: Any] ?? [:]
        #expect(progress["repositories_done"] as? Int == 3 && progress["skipped_binary"] as? Int == 1)
        var found = Self.findings(world, token: token)
        let located = Set(found.map { "\($0["repository"]!):\($0["path"]!):\($0["line"]!):\($0["rule_id"]!)" })
        #expect(
            located == [
                "octo/api:config/settings.py:3:github-pat", "octo/api:deploy/.env:2:generic-password", "octo/web:src/app.js:3:aws-access-key-id",
            ])
        for finding in found {
            #expect(finding["status"] as? String == "open")
            #expect((finding["redacted"] as? String ?? "").count <= 9)
            #expect((finding["commit_sha"] as? String)?.count == 40)
        }
        world.responses.append(found.description)
        let notifications = Self.json(world.test.get("/notifications", token: token))["items"] as? [[String: Any]] ?? []
        let secretNotes = notifications.filter { $0["kind"] as? String == "secrets_found" }
        #expect(secretNotes.count == 1)
        #expect((secretNotes.first?["body"] as? String)?.contains("octo/api: 2 new") == true)
        world.test.app.outbox.deliverDue()
        let emails = world.test.mailer.messages.filter { $0.subject.contains("new secret") }
        #expect(emails.count == 1 && emails.first?.to == "octo@example.com")
        let downloads = github.blobDownloads

        // Rescan with no change: nothing new, no notification, no blob downloaded.
        let second = try Self.scan(world, token: token, ["octo/api", "octo/web", "octo/tools"])
        #expect(second["status"] as? String == "completed" && second["new_findings"] as? Int == 0)
        #expect(github.blobDownloads == downloads)
        #expect(((second["progress"] as? [String: Any])?["blobs_cached"] as? Int ?? 0) >= 7)
        world.test.app.outbox.deliverDue()
        #expect(world.test.mailer.messages.filter { $0.subject.contains("new secret") }.count == 1)

        // Mark one a false positive: it stays so across scans.
        let aws = try #require(found.first { $0["rule_id"] as? String == "aws-access-key-id" })
        let marked = try world.test.client.execute(
            "PATCH", "/github/scan-results/\(aws["id"]!)", json: ["status": "false_positive"], headers: ["Authorization": "Bearer \(token)"])
        #expect(marked.status == 200 && Self.json(marked)["status"] as? String == "false_positive")

        // Add one secret: exactly one new finding and one more notification.
        var api = Self.repositories["octo/api"]!
        api["config/prod.yaml"] = "github:\n  token: \(Self.patTwo)\n"
        github.setRepository("octo/api", owner: "octo", files: api)
        let third = try Self.scan(world, token: token, ["octo/api", "octo/web"])
        #expect(third["new_findings"] as? Int == 1)
        found = Self.findings(world, token: token)
        #expect(found.contains { $0["path"] as? String == "config/prod.yaml" && $0["line"] as? Int == 2 && $0["status"] as? String == "open" })
        #expect(found.first { $0["id"] as? String == aws["id"] as? String }?["status"] as? String == "false_positive")
        world.test.app.outbox.deliverDue()
        #expect(world.test.mailer.messages.filter { $0.subject.contains("new secret") }.count == 2)

        // Remove it: resolved by the next scan; put it back: reopened and notified again.
        github.setRepository("octo/api", owner: "octo", files: Self.repositories["octo/api"]!)
        _ = try Self.scan(world, token: token, ["octo/api"])
        found = Self.findings(world, token: token)
        #expect(found.first { $0["path"] as? String == "config/prod.yaml" }?["status"] as? String == "resolved")
        #expect(Self.findings(world, token: token, query: "&status=open").count == 2)
        github.setRepository("octo/api", owner: "octo", files: api)
        let reopened = try Self.scan(world, token: token, ["octo/api"])
        #expect(reopened["new_findings"] as? Int == 1)

        // Truncated trees are walked level by level: same findings.
        github.truncateTrees(true)
        let truncated = try Self.scan(world, token: token, ["octo/api"])
        #expect(truncated["status"] as? String == "completed" && truncated["new_findings"] as? Int == 0)
        #expect(Self.findings(world, token: token, query: "&repository=octo/api&status=open").count == 3)
        github.truncateTrees(false)

        // Rate limits, secondary (403 + Retry-After) and primary (remaining 0 until reset): the
        // scan waits and completes. This time the server's own worker thread runs it, and the
        // client polls.
        github.injectSecondaryRateLimits(2)
        github.exhaustPrimaryRateLimit(1)
        world.test.app.scans.start()
        defer { world.test.app.scans.stop() }
        let queued = try world.test.client.execute(
            "POST", "/github/scan", json: ["repositories": ["octo/tools"]], headers: ["Authorization": "Bearer \(token)"])
        let limitedID = try #require(Self.json(queued)["scan_id"] as? String)
        var limited: [String: Any] = [:]
        for _ in 0..<200 {
            limited = Self.json(world.test.get("/github/scans/\(limitedID)", token: token))
            if limited["status"] as? String == "completed" || limited["status"] as? String == "failed" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(limited["status"] as? String == "completed")
        world.test.app.scans.stop()

        // Another user sees none of it.
        let other = try world.test.signedIn("eve@example.com")
        let scanID = try #require(first["id"] as? String)
        #expect(world.test.get("/github/scans/\(scanID)", token: other.accessToken).status == 404)
        #expect(Self.findings(world, token: other.accessToken).isEmpty)
        let stolen = try world.test.client.execute(
            "PATCH", "/github/scan-results/\(aws["id"]!)", json: ["status": "open"], headers: ["Authorization": "Bearer \(other.accessToken)"])
        #expect(stolen.status == 404)
        #expect(world.test.get("/github/repos", token: other.accessToken).status == 409)

        // A revoked token: the scan fails with a code, and listing says to link again.
        github.revokeTokens(of: "octo")
        let failed = try Self.scan(world, token: token, ["octo/api"])
        #expect(failed["status"] as? String == "failed")
        #expect((failed["error"] as? [String: Any])?["code"] as? String == "github_token_invalid")
        let relist = world.test.get("/github/repos", token: token)
        #expect(relist.status == 409 && relist.bodyText.contains("github_token_invalid"))

        // The GitHub token is in no response and no log line; the secrets are in neither either.
        let logs = world.test.logs.lines.joined(separator: "\n")
        for secret in github.issuedTokens + [Self.patOne, Self.patTwo, Self.awsKey, Self.dbPassword] {
            #expect(!logs.contains(secret))
            #expect(!world.responses.joined().contains(secret))
        }
        // The audit log has the GitHub and scan events.
        let audit = world.test.get("/audit-log?limit=200", token: token).bodyText
        for kind in ["scan_started", "scan_completed", "scan_failed", "finding_updated", "login_succeeded"] {
            #expect(audit.contains(kind), "\(kind)")
        }
    }

    @Test(arguments: TestDatabase.backends)
    func linkingRefusesMergesAndSpentStates(_ backend: DatabaseBackend) throws {
        let world = try Self.world(backend)
        // A password account links GitHub while signed in.
        let owner = try world.test.signedIn("someone@example.com")
        let linked = try Self.oauth(world, as: "hubot", linkingWith: owner.accessToken)
        #expect(linked.status == 200 && Self.json(linked)["action"] as? String == "linked")
        let me = Self.json(world.test.get("/auth/me", token: owner.accessToken))
        #expect((me["github"] as? [String: Any])?["linked"] as? Bool == true)
        let notes = Self.json(world.test.get("/notifications", token: owner.accessToken))["items"] as? [[String: Any]] ?? []
        #expect(notes.contains { $0["kind"] as? String == "github_linked" })
        #expect(world.test.get("/audit-log", token: owner.accessToken).bodyText.contains("github_linked"))
        // Signing in with that GitHub account now reaches the password account.
        let viaGitHub = try Self.signInWithGitHub(world, as: "hubot")
        #expect(Self.json(world.test.get("/auth/me", token: viaGitHub))["email"] as? String == "someone@example.com")
        // The same GitHub account cannot be linked to a second Keyhaven account.
        let second = try world.test.signedIn("second@example.com")
        #expect(try Self.oauth(world, as: "hubot", linkingWith: second.accessToken).status == 409)

        // A GitHub account whose email has a password account: refused, never merged.
        _ = try world.test.signedIn("mallory@example.com")
        let refused = try Self.oauth(world, as: "mallory")
        #expect(refused.status == 409 && refused.bodyText.contains("account_exists"))

        // State and hand-off codes are single use.
        let start = Self.json(world.test.client.execute("GET", "/auth/github/login"))
        let authorize = try #require(URL(string: start["authorize_url"] as? String ?? ""))
        world.github.signInAs("hubot")
        let redirect = try HTTPClient().send(method: "GET", url: authorize, headers: [])
        let callback = try #require(URLComponents(string: redirect.headers["location"] ?? ""))
        let path = callback.path + "?" + (callback.percentEncodedQuery ?? "")
        let handed = world.test.client.execute("GET", path)
        #expect(handed.status == 200)
        #expect(world.test.client.execute("GET", path).status == 400)
        let code = try #require(Self.json(handed)["code"] as? String)
        #expect(try world.test.client.execute("POST", "/auth/github/exchange", json: ["code": code]).status == 200)
        #expect(try world.test.client.execute("POST", "/auth/github/exchange", json: ["code": code]).status == 400)
        #expect(world.test.client.execute("GET", "/auth/github/callback?code=x&state=forged").status == 400)

        // Unlinking deletes the token: listing needs a new link.
        #expect(world.test.client.execute("DELETE", "/auth/github", headers: ["Authorization": "Bearer \(owner.accessToken)"]).status == 204)
        #expect(world.test.get("/github/repos", token: owner.accessToken).status == 409)
        #expect(try SQLGitHubRepository(database: world.test.app.database).link(userID: UserID(me["id"] as! String)) == nil)
    }

    @Test func withoutGitHubConfiguredTheFeatureAnswers503() throws {
        let test = try TestApplication()
        #expect(test.client.execute("GET", "/auth/github/login").status == 503)
        let tokens = try test.signedIn("plain@example.com")
        #expect(test.get("/github/repos", token: tokens.accessToken).status == 503)
    }

    @Test func findingsMatchingAVaultPasswordSaySo() throws {
        var world = try Self.world(.sqlite)
        world.github.setRepository("octo/api", owner: "octo", files: Self.repositories["octo/api"]!)
        let token = try Self.signInWithGitHub(world, as: "octo")
        let item = try world.test.createItem(token, ["title": "Production DB", "password": Self.dbPassword])
        _ = try Self.scan(world, token: token, ["octo/api"])
        let found = Self.findings(world, token: token)
        #expect(found.first { $0["rule_id"] as? String == "generic-password" }?["matches_vault_item"] as? String == item.id)
        #expect(found.first { $0["rule_id"] as? String == "github-pat" }?["matches_vault_item"] is NSNull)
        world.responses.append("\(found)")
    }
}

/// The REST client's header parsing, without a server.
struct GitHubClientParsingTests {
    @Test func rateLimitWaits() {
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(GitHubClient.rateLimitWait(["retry-after": "7"], now: now) == 7)
        #expect(GitHubClient.rateLimitWait(["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"], now: now) == 31)
        #expect(GitHubClient.rateLimitWait(["x-ratelimit-remaining": "12", "x-ratelimit-reset": "1030"], now: now) == nil)
        #expect(GitHubClient.rateLimitWait([:], now: now) == nil)
    }

    @Test func nextPageFromLinkHeader() {
        let api = URL(string: "https://api.github.com")!
        let link =
            #"<https://api.github.com/user/repos?page=3&per_page=2>; rel="next", <https://api.github.com/user/repos?page=9&per_page=2>; rel="last""#
        #expect(GitHubClient.nextPage(link, apiURL: api) == "/user/repos?page=3&per_page=2")
        #expect(GitHubClient.nextPage(#"<https://api.github.com/user/repos?page=1>; rel="prev""#, apiURL: api) == nil)
        // A next link to another host is not followed (the token would go there).
        #expect(GitHubClient.nextPage(#"<https://evil.example/user/repos?page=3>; rel="next""#, apiURL: api) == nil)
        #expect(GitHubClient.nextPage(nil, apiURL: api) == nil)
    }

    @Test(arguments: ["a/b", "octo-org/my.repo_1"]) func acceptsRepositoryNames(_ name: String) throws {
        #expect(try GitHubClient.checked(name) == name)
    }

    @Test(arguments: ["a", "a/b/c", "../etc", "a/..", "a/b?x=1", "a/b#c", "a /b", "", "a/"]) func rejectsRepositoryNames(_ name: String) {
        #expect(throws: GitHubError.self) { try GitHubClient.checked(name) }
    }
}
