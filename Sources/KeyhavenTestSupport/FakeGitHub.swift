import COpenSSL
public import Foundation
import Glibc
import KeyhavenHTTP
import KeyhavenLocking

/// A local imitation of the parts of GitHub Keyhaven calls, on the project's own HTTP server
/// (port 0, plain HTTP on loopback): the OAuth web flow with PKCE, `/user`, `/user/emails`,
/// `/user/repos` with `Link` pagination, repositories, commits, recursive trees (optionally
/// truncated), raw blobs, rate-limit headers, 401 for a bad token, 404 for an invisible
/// repository, and switches to inject secondary-limit 403s. Repositories are in-memory trees whose
/// blob SHAs are real git blob ids.
public final class FakeGitHub: @unchecked Sendable {
    public struct Account: Sendable {
        public var id: Int64
        public var login: String
        public var email: String
        public var emailVerified = true
        public init(id: Int64, login: String, email: String, emailVerified: Bool = true) {
            self.id = id
            self.login = login
            self.email = email
            self.emailVerified = emailVerified
        }
    }

    struct Repository {
        var fullName: String
        var owner: String  // login that can see it
        var isPrivate: Bool
        var defaultBranch: String
        var files: [String: [UInt8]]
        var revision = 0
    }

    struct PendingCode {
        var login: String
        var redirectURI: String
        var challenge: String
        var clientID: String
    }

    struct State {
        var accounts: [String: Account] = [:]  // by login
        var tokens: [String: String] = [:]  // token -> login
        var codes: [String: PendingCode] = [:]
        var repositories: [String: Repository] = [:]
        var blobDownloads = 0
        var apiRequests = 0
        var injectedSecondaryLimits = 0
        var injectedPrimaryLimits = 0
        var truncateTrees = false
        var blobDelay: useconds_t = 0
        var nextLogin: String?
        var authorizationHeadersSeen: [String] = []
    }

    public let clientID = "Iv1.fakeclient000001"
    public let clientSecret = "fake-client-secret-\(UUID().uuidString)"
    private let state = Locked(State())
    private var server: HTTPServer!

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    public init() throws {
        var router = Router()
        router.get("/login/oauth/authorize") { [unowned self] request, _ in try authorize(request) }
        router.post("/login/oauth/access_token") { [unowned self] request, _ in try accessToken(request) }
        router.get("/user") { [unowned self] request, _ in try api(request) { login, _ in try user(login) } }
        router.get("/user/emails") { [unowned self] request, _ in try api(request) { login, _ in try emails(login) } }
        router.get("/user/repos") { [unowned self] request, _ in try api(request) { login, _ in try repos(login, request) } }
        router.get("/repos/{owner}/{name}") { [unowned self] request, context in
            try api(request) { login, _ in try repository(login, context) }
        }
        router.get("/repos/{owner}/{name}/commits/{ref}") { [unowned self] request, context in
            try api(request) { login, _ in try commit(login, context) }
        }
        router.get("/repos/{owner}/{name}/git/trees/{sha}") { [unowned self] request, context in
            try api(request) { login, _ in try tree(login, context, recursive: request.query["recursive"] != nil) }
        }
        router.get("/repos/{owner}/{name}/git/blobs/{sha}") { [unowned self] request, context in
            try api(request) { login, _ in try blob(login, context) }
        }
        let responder = Responder(router: router, options: .init(httpsEnabled: false))
        server = try HTTPServer(configuration: .init(host: "127.0.0.1", port: 0, threadCount: 4, tls: nil), responder: responder)
    }

    deinit { server?.shutdown(gracePeriod: .seconds(1)) }

    // MARK: - Test controls

    public func addAccount(_ account: Account) { state.withLock { $0.accounts[account.login] = account } }

    /// The account that approves the next authorization (as if signed in to GitHub in the browser).
    public func signInAs(_ login: String) { state.withLock { $0.nextLogin = login } }

    public func setRepository(_ fullName: String, owner: String, isPrivate: Bool = true, files: [String: String], defaultBranch: String = "main") {
        state.withLock {
            let revision = ($0.repositories[fullName]?.revision ?? 0) + 1
            $0.repositories[fullName] = Repository(
                fullName: fullName, owner: owner, isPrivate: isPrivate, defaultBranch: defaultBranch,
                files: files.mapValues { Array($0.utf8) }, revision: revision)
        }
    }

    public func setBinaryFile(_ fullName: String, path: String, bytes: [UInt8]) {
        state.withLock {
            $0.repositories[fullName]?.files[path] = bytes
            $0.repositories[fullName]?.revision += 1
        }
    }

    public func revokeTokens(of login: String) { state.withLock { $0.tokens = $0.tokens.filter { $0.value != login } } }
    public func injectSecondaryRateLimits(_ count: Int) { state.withLock { $0.injectedSecondaryLimits = count } }
    /// The next `count` API requests find the primary limit used up (reset in one second).
    public func exhaustPrimaryRateLimit(_ count: Int) { state.withLock { $0.injectedPrimaryLimits = count } }
    public func truncateTrees(_ on: Bool) { state.withLock { $0.truncateTrees = on } }
    /// Slows every blob download (to catch a scan in the middle).
    public func delayBlobs(milliseconds: Int) { state.withLock { $0.blobDelay = useconds_t(milliseconds * 1000) } }
    public var blobDownloads: Int { state.withLock { $0.blobDownloads } }
    public var apiRequests: Int { state.withLock { $0.apiRequests } }
    /// Every token GitHub handed out (tests search responses and logs for them).
    public var issuedTokens: [String] { state.withLock { Array($0.tokens.keys) } }

    public static func gitBlobSHA(_ bytes: [UInt8]) -> String {
        let header = Array("blob \(bytes.count)\0".utf8)
        var digest = [UInt8](repeating: 0, count: 20)
        let input = header + bytes
        _ = input.withUnsafeBufferPointer { SHA1($0.baseAddress, $0.count, &digest) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - OAuth

    private func authorize(_ request: Request) throws -> Response {
        let query = request.query
        guard query["client_id"] == clientID, let redirect = query["redirect_uri"], let stateValue = query["state"],
            let challenge = query["code_challenge"], query["code_challenge_method"] == "S256"
        else { return json(400, ["error": "bad authorize request"]) }
        let code = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let login = try state.withLock { current -> String in
            guard let login = current.nextLogin else { throw HTTPError(status: 400, code: "no_user", detail: "call signInAs first") }
            current.codes[code] = PendingCode(login: login, redirectURI: redirect, challenge: challenge, clientID: clientID)
            return login
        }
        _ = login
        var components = URLComponents(string: redirect)!
        components.queryItems =
            (components.queryItems ?? []) + [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: stateValue)]
        return Response(status: 302, headers: ["Location": components.url!.absoluteString])
    }

    private func accessToken(_ request: Request) throws -> Response {
        let form = Self.parseForm(request.body)
        guard form["client_id"] == clientID, form["client_secret"] == clientSecret else {
            return json(200, ["error": "incorrect_client_credentials"])
        }
        guard let code = form["code"], let verifier = form["code_verifier"] else { return json(200, ["error": "bad_verification_code"]) }
        let token: String? = state.withLock { current in
            guard let pending = current.codes.removeValue(forKey: code), pending.redirectURI == form["redirect_uri"],
                Self.s256(verifier) == pending.challenge
            else { return nil }
            let token = "gho_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            current.tokens[token] = pending.login
            return token
        }
        guard let token else { return json(200, ["error": "bad_verification_code"]) }
        return json(200, ["access_token": token, "token_type": "bearer", "scope": "repo,read:user,user:email"])
    }

    static func s256(_ verifier: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let bytes = Array(verifier.utf8)
        _ = bytes.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        return Data(digest).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func parseForm(_ body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    // MARK: - REST

    private func api(_ request: Request, _ body: (String, Request) throws -> Response) throws -> Response {
        let (login, limited, exhausted) = state.withLock { current -> (String?, Bool, Bool) in
            current.apiRequests += 1
            if let header = request.headers["authorization"] { current.authorizationHeadersSeen.append(header) }
            if current.injectedSecondaryLimits > 0 {
                current.injectedSecondaryLimits -= 1
                return (nil, true, false)
            }
            if current.injectedPrimaryLimits > 0 {
                current.injectedPrimaryLimits -= 1
                return (nil, false, true)
            }
            guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return (nil, false, false) }
            return (current.tokens[String(header.dropFirst(7))], false, false)
        }
        if exhausted {
            var response = json(403, ["message": "API rate limit exceeded."])
            response.headers.replaceOrAdd(name: "X-RateLimit-Limit", value: "5000")
            response.headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: "0")
            response.headers.replaceOrAdd(name: "X-RateLimit-Reset", value: String(Int(Date().timeIntervalSince1970) + 1))
            return response
        }
        if limited {
            var response = json(403, ["message": "You have exceeded a secondary rate limit."])
            response.headers.replaceOrAdd(name: "Retry-After", value: "1")
            return response
        }
        guard request.headers["user-agent"] != nil, request.headers["x-github-api-version"] != nil else {
            return json(400, ["message": "missing User-Agent or X-GitHub-Api-Version"])
        }
        guard let login else { return json(401, ["message": "Bad credentials"]) }
        var response = try body(login, request)
        response.headers.replaceOrAdd(name: "X-RateLimit-Limit", value: "5000")
        response.headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: "4999")
        response.headers.replaceOrAdd(name: "X-RateLimit-Reset", value: String(Int(Date().timeIntervalSince1970) + 3600))
        return response
    }

    private func user(_ login: String) throws -> Response {
        guard let account = state.withLock({ $0.accounts[login] }) else { return json(404, ["message": "Not Found"]) }
        return json(200, ["id": account.id, "login": account.login, "name": account.login])
    }

    private func emails(_ login: String) throws -> Response {
        guard let account = state.withLock({ $0.accounts[login] }) else { return json(404, ["message": "Not Found"]) }
        return jsonArray([
            ["email": account.email, "primary": true, "verified": account.emailVerified, "visibility": "private"],
            ["email": "\(login)@users.noreply.github.com", "primary": false, "verified": true, "visibility": NSNull()],
        ])
    }

    private func repos(_ login: String, _ request: Request) throws -> Response {
        let perPage = min(100, max(1, Int(request.query["per_page"] ?? "30") ?? 30))
        let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
        let visible = state.withLock { $0.repositories.values.filter { $0.owner == login }.sorted { $0.fullName < $1.fullName } }
        let slice = visible.dropFirst((page - 1) * perPage).prefix(perPage)
        var response = jsonArray(slice.map(repositoryJSON))
        var links: [String] = []
        let base = "\(baseURL.absoluteString)/user/repos?per_page=\(perPage)"
        if page * perPage < visible.count { links.append("<\(base)&page=\(page + 1)>; rel=\"next\"") }
        let last = max(1, (visible.count + perPage - 1) / perPage)
        links.append("<\(base)&page=\(last)>; rel=\"last\"")
        if page > 1 { links.append("<\(base)&page=\(page - 1)>; rel=\"prev\"") }
        response.headers.replaceOrAdd(name: "Link", value: links.joined(separator: ", "))
        return response
    }

    private func visibleRepository(_ login: String, _ context: RequestContext) -> Repository? {
        let fullName = "\(context.parameters["owner"] ?? "")/\(context.parameters["name"] ?? "")"
        return state.withLock { current in current.repositories[fullName].flatMap { $0.owner == login ? $0 : nil } }
    }

    private func repositoryJSON(_ repository: Repository) -> [String: Any] {
        [
            "full_name": repository.fullName, "private": repository.isPrivate, "default_branch": repository.defaultBranch,
            "html_url": "https://github.com/\(repository.fullName)",
        ]
    }

    private func repository(_ login: String, _ context: RequestContext) throws -> Response {
        guard let repository = visibleRepository(login, context) else { return json(404, ["message": "Not Found"]) }
        return json(200, repositoryJSON(repository))
    }

    /// Trees: the root lists top-level entries; directory trees have ids derived from their path.
    private func treeSHA(_ repository: Repository, directory: String) -> String {
        Self.gitBlobSHA(Array("tree:\(repository.fullName):\(repository.revision):\(directory)".utf8))
    }

    private func commit(_ login: String, _ context: RequestContext) throws -> Response {
        guard let repository = visibleRepository(login, context), context.parameters["ref"] == repository.defaultBranch else {
            return json(404, ["message": "Not Found"])
        }
        let sha = Self.gitBlobSHA(Array("commit:\(repository.fullName):\(repository.revision)".utf8))
        return json(200, ["sha": sha, "commit": ["tree": ["sha": treeSHA(repository, directory: "")]]])
    }

    private func tree(_ login: String, _ context: RequestContext, recursive: Bool) throws -> Response {
        guard let repository = visibleRepository(login, context), let sha = context.parameters["sha"] else {
            return json(404, ["message": "Not Found"])
        }
        var directories = Set([""])
        for path in repository.files.keys {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                directories.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        guard let directory = directories.first(where: { treeSHA(repository, directory: $0) == sha }) else {
            return json(404, ["message": "Not Found"])
        }
        let truncate = state.withLock { $0.truncateTrees }
        let prefix = directory.isEmpty ? "" : directory + "/"
        var entries: [[String: Any]] = []
        for sub in directories where sub != directory && sub.hasPrefix(prefix) {
            let rest = sub.dropFirst(prefix.count)
            if recursive || !rest.contains("/") {
                entries.append([
                    "path": recursive ? String(rest) : String(rest), "type": "tree", "sha": treeSHA(repository, directory: sub), "mode": "040000",
                ])
            }
        }
        for (path, bytes) in repository.files where path.hasPrefix(prefix) {
            let rest = path.dropFirst(prefix.count)
            if recursive || !rest.contains("/") {
                entries.append(["path": String(rest), "type": "blob", "sha": Self.gitBlobSHA(bytes), "size": bytes.count, "mode": "100644"])
            }
        }
        entries.sort { ($0["path"] as! String) < ($1["path"] as! String) }
        if recursive && truncate {
            // GitHub stops a large recursive listing and says so; callers must walk subtrees.
            return json(200, ["sha": sha, "tree": Array(entries.prefix(1)), "truncated": true])
        }
        return json(200, ["sha": sha, "tree": entries, "truncated": false])
    }

    private func blob(_ login: String, _ context: RequestContext) throws -> Response {
        guard let repository = visibleRepository(login, context), let sha = context.parameters["sha"],
            let bytes = repository.files.values.first(where: { Self.gitBlobSHA($0) == sha })
        else { return json(404, ["message": "Not Found"]) }
        let delay = state.withLock { current -> useconds_t in
            current.blobDownloads += 1
            return current.blobDelay
        }
        if delay > 0 { usleep(delay) }
        return Response(status: 200, headers: ["Content-Type": "application/vnd.github.raw"], body: bytes)
    }

    private func json(_ status: Int, _ object: [String: Any]) -> Response {
        Response(
            status: status, headers: ["Content-Type": "application/json"],
            body: Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    private func jsonArray(_ list: [[String: Any]]) -> Response {
        Response(
            status: 200, headers: ["Content-Type": "application/json"], body: Array((try? JSONSerialization.data(withJSONObject: list)) ?? Data()))
    }
}
