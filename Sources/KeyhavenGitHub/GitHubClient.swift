public import Foundation
public import KeyhavenHTTPClient

/// Why a GitHub call failed. `code` is what API clients see (a scan's `error.code`).
public enum GitHubError: Error, CustomStringConvertible, Equatable {
    /// 401: the token was revoked or expired; the link is broken until the user links again.
    case unauthorized
    /// 404 (or 403 without a rate limit): the repository or object is not visible to this token.
    case notFound(String)
    /// Still limited after waiting the allowed number of times.
    case rateLimited
    case http(Int)
    case transport(String)
    case malformed(String)

    public var code: String {
        switch self {
        case .unauthorized: return "github_token_invalid"
        case .notFound: return "github_not_found"
        case .rateLimited: return "github_rate_limited"
        case .http: return "github_error"
        case .transport: return "github_unreachable"
        case .malformed: return "github_bad_response"
        }
    }

    public var description: String {
        switch self {
        case .unauthorized: return "GitHub rejected the token (revoked or expired); link GitHub again"
        case .notFound(let what): return "not found on GitHub or not visible to this account: \(what)"
        case .rateLimited: return "GitHub's rate limit did not clear in time"
        case .http(let status): return "GitHub answered \(status)"
        case .transport(let reason): return "cannot reach GitHub: \(reason)"
        case .malformed(let what): return "unexpected answer from GitHub: \(what)"
        }
    }
}

public struct GitHubRepository: Sendable, Equatable {
    public var fullName: String
    public var isPrivate: Bool
    public var defaultBranch: String
    public var htmlURL: String
}

public struct GitHubTreeEntry: Sendable, Equatable {
    public var path: String
    public var type: String
    public var sha: String
    public var size: Int?
}

public struct GitHubUser: Sendable, Equatable {
    public var id: Int64
    public var login: String
}

/// GitHub's REST API with one user's token: JSON over HTTPS with the headers GitHub asks for,
/// `Link` pagination, and waiting out primary (`X-RateLimit-Remaining: 0` until
/// `X-RateLimit-Reset`) and secondary (403/429 with `Retry-After`) limits a bounded number of
/// times. The token goes in the `Authorization` header only, never in a URL or a log line.
public struct GitHubClient: Sendable {
    public let apiURL: URL
    let token: String
    let http: HTTPClient
    /// How a wait is spent (tests can shorten it); the argument is seconds.
    let sleep: @Sendable (Double) -> Void
    /// Waits allowed per call, and the longest single wait honoured (seconds).
    public var maximumRetries = 4
    public var maximumWait: Double = 60

    public init(
        apiURL: URL, token: String, http: HTTPClient = HTTPClient(),
        sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) {
        self.apiURL = apiURL
        self.token = token
        self.http = http
        self.sleep = sleep
    }

    static let userAgent = "Keyhaven-Secret-Scanner"

    /// GET `path` (relative to the API root, may carry a query); returns the JSON and the `Link` header.
    func get(_ path: String, accept: String = "application/vnd.github+json") throws -> (json: Any, link: String?, raw: [UInt8]) {
        guard let url = URL(string: apiURL.absoluteString.trimmingSuffix("/") + path) else { throw GitHubError.malformed("bad path \(path)") }
        var attempt = 0
        while true {
            let response: HTTPClient.Response
            do {
                response = try http.send(
                    method: "GET", url: url,
                    headers: [
                        ("Authorization", "Bearer \(token)"), ("Accept", accept), ("X-GitHub-Api-Version", "2022-11-28"),
                        ("User-Agent", Self.userAgent),
                    ])
            } catch {
                attempt += 1
                if attempt > maximumRetries { throw GitHubError.transport("\(error)") }
                sleep(min(maximumWait, pow(2, Double(attempt))))
                continue
            }
            switch response.status {
            case 200..<300:
                if accept.hasSuffix("raw") { return (NSNull(), response.headers["link"], response.body) }
                guard let json = try? JSONSerialization.jsonObject(with: Data(response.body)) else {
                    throw GitHubError.malformed("not JSON from \(url.path)")
                }
                return (json, response.headers["link"], response.body)
            case 401:
                throw GitHubError.unauthorized
            case 403, 429:
                guard let wait = Self.rateLimitWait(response.headers) else {
                    if response.status == 403 { throw GitHubError.notFound(url.path) }
                    throw GitHubError.http(response.status)
                }
                attempt += 1
                if attempt > maximumRetries || wait > maximumWait { throw GitHubError.rateLimited }
                sleep(wait)
            case 404:
                throw GitHubError.notFound(url.path)
            case 500..<600:
                attempt += 1
                if attempt > maximumRetries { throw GitHubError.http(response.status) }
                sleep(min(maximumWait, pow(2, Double(attempt))))
            default:
                throw GitHubError.http(response.status)
            }
        }
    }

    /// Seconds to wait before retrying a 403/429, or nil when it is not a rate limit.
    static func rateLimitWait(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let retryAfter = headers["retry-after"].flatMap(Double.init) { return max(1, retryAfter) }
        if headers["x-ratelimit-remaining"] == "0", let reset = headers["x-ratelimit-reset"].flatMap(Double.init) {
            return max(1, reset - now.timeIntervalSince1970 + 1)
        }
        return nil
    }

    /// The URL of the next page from a `Link` header, as a path relative to the API root.
    static func nextPage(_ link: String?, apiURL: URL) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count >= 2, pieces.dropFirst().contains(where: { $0 == "rel=\"next\"" }) else { continue }
            let target = pieces[0].trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
            let root = apiURL.absoluteString.trimmingSuffix("/")
            return target.hasPrefix(root) ? String(target.dropFirst(root.count)) : nil
        }
        return nil
    }

    public func user() throws -> GitHubUser {
        guard let object = try get("/user").json as? [String: Any], let id = (object["id"] as? NSNumber)?.int64Value,
            let login = object["login"] as? String
        else { throw GitHubError.malformed("/user") }
        return GitHubUser(id: id, login: login)
    }

    /// The primary email, if GitHub says it is verified.
    public func verifiedPrimaryEmail() throws -> String? {
        guard let list = try get("/user/emails").json as? [[String: Any]] else { throw GitHubError.malformed("/user/emails") }
        let primary = list.first { ($0["primary"] as? Bool) == true }
        guard let primary, (primary["verified"] as? Bool) == true else { return nil }
        return primary["email"] as? String
    }

    /// One page of the repositories the user can see; `hasMore` when GitHub's `Link` has a next page.
    public func repositories(page: Int, perPage: Int) throws -> (items: [GitHubRepository], hasMore: Bool) {
        let result = try get("/user/repos?per_page=\(perPage)&page=\(page)&sort=full_name&affiliation=owner,collaborator,organization_member")
        guard let list = result.json as? [[String: Any]] else { throw GitHubError.malformed("/user/repos") }
        return (list.compactMap(Self.repository), Self.nextPage(result.link, apiURL: apiURL) != nil)
    }

    public func repository(_ fullName: String) throws -> GitHubRepository {
        guard let repository = Self.repository(try get("/repos/\(try Self.checked(fullName))").json) else {
            throw GitHubError.malformed("/repos/\(fullName)")
        }
        return repository
    }

    /// The head commit of `branch` and its root tree.
    public func head(_ fullName: String, branch: String) throws -> (commit: String, tree: String) {
        let encoded = branch.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? branch
        guard let object = try get("/repos/\(try Self.checked(fullName))/commits/\(encoded)").json as? [String: Any],
            let sha = object["sha"] as? String, let commit = object["commit"] as? [String: Any],
            let tree = (commit["tree"] as? [String: Any])?["sha"] as? String
        else { throw GitHubError.malformed("commit of \(fullName)") }
        return (sha, tree)
    }

    /// Every blob under `tree`. A truncated recursive listing is completed by walking subtrees
    /// one level at a time.
    public func blobs(_ fullName: String, tree: String) throws -> [GitHubTreeEntry] {
        let repository = try Self.checked(fullName)
        let (entries, truncated) = try treeListing(repository, sha: tree, recursive: true)
        if !truncated { return entries.filter { $0.type == "blob" } }
        var blobs: [GitHubTreeEntry] = []
        var pending: [(prefix: String, sha: String)] = [("", tree)]
        while let (prefix, sha) = pending.popLast() {
            let (level, _) = try treeListing(repository, sha: sha, recursive: false)
            for entry in level {
                let path = prefix.isEmpty ? entry.path : prefix + "/" + entry.path
                if entry.type == "tree" {
                    pending.append((path, entry.sha))
                } else if entry.type == "blob" {
                    blobs.append(GitHubTreeEntry(path: path, type: entry.type, sha: entry.sha, size: entry.size))
                }
            }
        }
        return blobs.sorted { $0.path < $1.path }
    }

    func treeListing(_ repository: String, sha: String, recursive: Bool) throws -> ([GitHubTreeEntry], Bool) {
        guard
            let object = try get("/repos/\(repository)/git/trees/\(try Self.checkedSHA(sha))\(recursive ? "?recursive=1" : "")").json
                as? [String: Any],
            let list = object["tree"] as? [[String: Any]]
        else { throw GitHubError.malformed("tree \(sha)") }
        let entries = list.compactMap { entry -> GitHubTreeEntry? in
            guard let path = entry["path"] as? String, let type = entry["type"] as? String, let sha = entry["sha"] as? String else { return nil }
            return GitHubTreeEntry(path: path, type: type, sha: sha, size: (entry["size"] as? NSNumber)?.intValue)
        }
        return (entries, (object["truncated"] as? Bool) == true)
    }

    /// A blob's bytes (the raw media type: no base64 round trip).
    public func blob(_ fullName: String, sha: String) throws -> [UInt8] {
        try get("/repos/\(try Self.checked(fullName))/git/blobs/\(try Self.checkedSHA(sha))", accept: "application/vnd.github.raw").raw
    }

    static func repository(_ json: Any) -> GitHubRepository? {
        guard let object = json as? [String: Any], let fullName = object["full_name"] as? String else { return nil }
        return GitHubRepository(
            fullName: fullName, isPrivate: (object["private"] as? Bool) ?? false, defaultBranch: (object["default_branch"] as? String) ?? "main",
            htmlURL: (object["html_url"] as? String) ?? "")
    }

    /// `owner/name` with GitHub's allowed characters only (nothing that could change the path).
    public static func checked(_ fullName: String) throws -> String {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 100 && $0 != "." && $0 != ".." && $0.unicodeScalars.allSatisfy(allowed.contains) })
        else { throw GitHubError.malformed("repository name \(fullName)") }
        return fullName
    }

    static func checkedSHA(_ sha: String) throws -> String {
        guard (4...64).contains(sha.count), sha.allSatisfy(\.isHexDigit) else { throw GitHubError.malformed("object id") }
        return sha
    }
}

extension String {
    /// The string without `suffix` at its end (once), e.g. a base URL without its trailing `/`.
    public func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
