public import Foundation
public import KeyhavenHTTPClient

/// GitHub's OAuth2 web flow (authorization code with PKCE S256 and `state`).
public struct GitHubOAuth: Sendable {
    public let webURL: URL
    public let clientID: String
    let clientSecret: String
    let http: HTTPClient
    public static let scopes = "repo read:user user:email"

    public init(webURL: URL, clientID: String, clientSecret: String, http: HTTPClient = HTTPClient()) {
        self.webURL = webURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
    }

    /// Where to send the browser.
    public func authorizeURL(redirectURI: String, state: String, codeChallenge: String) -> URL {
        var components = URLComponents(url: webURL.appendingPathComponent("login/oauth/authorize"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: clientID), URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: Self.scopes), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "code_challenge", value: codeChallenge), URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "allow_signup", value: "false"),
        ]
        // `+` is a space in a query: encode it (and keep the scope's spaces as %20).
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    /// Trades the callback's code (and the PKCE verifier) for an access token. The client secret
    /// and the code travel in the POST body, never in a URL.
    public func exchange(code: String, redirectURI: String, verifier: String) throws -> String {
        let form = [
            ("client_id", clientID), ("client_secret", clientSecret), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier),
        ]
        .map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        let response: HTTPClient.Response
        do {
            response = try http.send(
                method: "POST", url: webURL.appendingPathComponent("login/oauth/access_token"),
                headers: [
                    ("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded"), ("User-Agent", GitHubClient.userAgent),
                ], body: Array(form.utf8))
        } catch {
            throw GitHubError.transport("\(error)")
        }
        guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw GitHubError.http(response.status)
        }
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            // e.g. {"error": "bad_verification_code"}: the code is spent, wrong or expired.
            throw GitHubError.unauthorized
        }
        return token
    }

    static func formEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}
