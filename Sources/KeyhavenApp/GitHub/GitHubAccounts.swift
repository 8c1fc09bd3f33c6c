import Foundation
import KeyhavenCrypto
import KeyhavenGitHub
import KeyhavenHTTP
import KeyhavenHTTPClient
import KeyhavenStorage

/// Signing in with GitHub and linking GitHub to an account.
///
/// The flow: `GET /auth/github/login` (optionally signed in, to link) creates a random `state`,
/// stores only its SHA-256 with the flow's owner for 10 minutes, and derives the PKCE verifier
/// from the state with a server key (so no verifier is stored). GitHub sends the browser to
/// `/auth/github/callback?code&state`; the state is consumed (single use), the code exchanged
/// with the verifier, and the outcome handed to the client as a one-time code (60 s, single
/// use, stored hashed) that `POST /auth/github/exchange` trades for tokens. Tokens never appear
/// in a URL. The GitHub token is sealed under the user's data key.
struct GitHubAccounts: Sendable {
    let configuration: Configuration
    let repository: SQLGitHubRepository
    let users: SQLUserRepository
    let dataKeys: DataKeys
    let vaults: VaultService
    let hasher: PasswordHasher
    let flowKey: [UInt8]
    let http: HTTPClient
    static let flowLifetime: TimeInterval = 10 * 60
    static let handoffLifetime: TimeInterval = 60

    enum Outcome: String {
        case signedIn = "signed_in"
        case linked
        case created
    }

    var redirectURI: String { configuration.publicURL.absoluteString.trimmingSuffix("/") + "/auth/github/callback" }

    func oauth() throws -> GitHubOAuth {
        guard let clientID = configuration.githubClientID, let secret = configuration.githubClientSecret else {
            throw HTTPError.serviceUnavailable("GitHub is not configured on this server.", code: "github_not_configured")
        }
        return GitHubOAuth(webURL: configuration.githubWebURL, clientID: clientID, clientSecret: secret, http: http)
    }

    /// The PKCE verifier for a state: 43 characters derived with a server key.
    func verifier(for state: String) -> String {
        Base64URL.encode(HMACSHA256.authenticationCode(for: Array("pkce:\(state)".utf8), key: flowKey))
    }

    static func challenge(for verifier: String) -> String { Base64URL.encode(SHA256.hash(Array(verifier.utf8))) }

    func start(linking userID: UserID?) throws -> URL {
        let oauth = try oauth()
        let state = SecureRandom.token(byteCount: 32)
        try repository.createFlow(
            stateHash: SHA256.hexHash(Array(state.utf8)), userID: userID, expiresAt: Date().addingTimeInterval(Self.flowLifetime))
        return oauth.authorizeURL(redirectURI: redirectURI, state: state, codeChallenge: Self.challenge(for: verifier(for: state)))
    }

    /// Completes the flow; returns the one-time hand-off code, the user and what happened.
    func complete(code: String, state: String) throws -> (handoff: String, user: User, outcome: Outcome) {
        let oauth = try oauth()
        let flow = try repository.takeFlow(stateHash: SHA256.hexHash(Array(state.utf8)), now: Date())
        guard flow.found else {
            throw HTTPError.badRequest("This sign-in link is unknown, used or expired. Start again.", code: "invalid_oauth_state")
        }
        let token: String
        do {
            token = try oauth.exchange(code: code, redirectURI: redirectURI, verifier: verifier(for: state))
        } catch GitHubError.unauthorized {
            throw HTTPError.badRequest("GitHub did not accept the authorization code. Start again.", code: "invalid_oauth_code")
        } catch {
            throw HTTPError(status: 502, code: "github_unavailable", detail: "GitHub could not be reached to finish signing in.")
        }
        let client = GitHubClient(apiURL: configuration.githubAPIURL, token: token, http: http)
        let identity: GitHubUser
        do {
            identity = try client.user()
        } catch {
            throw HTTPError(status: 502, code: "github_unavailable", detail: "GitHub could not be reached to finish signing in.")
        }
        let existing = try repository.link(githubID: identity.id)
        let user: User
        let outcome: Outcome
        if let linkingUser = flow.userID {
            if let existing, existing.userID != linkingUser {
                throw HTTPError.conflict("This GitHub account is linked to another Keyhaven account.", code: "github_already_linked")
            }
            guard let found = try users.find(id: linkingUser) else { throw HTTPError.unauthorized() }
            user = found
            outcome = .linked
        } else if let existing, let found = try users.find(id: existing.userID) {
            user = found
            outcome = .signedIn
        } else {
            guard let email = try? client.verifiedPrimaryEmail(), let parsed = try? EmailAddress.parse(email).get() else {
                throw HTTPError.badRequest(
                    "Your GitHub account has no verified primary email address to create a Keyhaven account with.", code: "github_email_unverified")
            }
            if try users.find(emailKey: parsed.key) != nil {
                // Never merge silently: whoever controls this GitHub account may not own the email's account.
                throw HTTPError.conflict(
                    "An account with this email address exists. Sign in with your password, then link GitHub from your account.",
                    code: "account_exists")
            }
            let now = Date()
            // No password: a random one nobody knows (the account signs in with GitHub).
            user = User(
                id: .generate(), email: parsed.value, emailKey: parsed.key, passwordHash: try hasher.hash(SecureRandom.token(byteCount: 32)),
                createdAt: now, updatedAt: now)
            try users.create(user)
            _ = try vaults.defaultVault(for: user.id)
            outcome = .created
        }
        // Linking stores the token; signing in again replaces it (GitHub issued a new one, and a
        // broken link is mended).
        try store(token: token, identity: identity, for: user.id)
        let handoff = SecureRandom.token(byteCount: 32)
        try repository.createHandoff(
            codeHash: SHA256.hexHash(Array(handoff.utf8)), userID: user.id, action: outcome.rawValue,
            expiresAt: Date().addingTimeInterval(Self.handoffLifetime))
        return (handoff, user, outcome)
    }

    func takeHandoff(_ code: String) throws -> User {
        guard let userID = try repository.takeHandoff(codeHash: SHA256.hexHash(Array(code.utf8)), now: Date()),
            let user = try users.find(id: userID)
        else { throw HTTPError.badRequest("This code is unknown, used or expired.", code: "invalid_code") }
        return user
    }

    func store(token: String, identity: GitHubUser, for userID: UserID) throws {
        let key = try dataKeys.key(for: userID)
        let sealed = try AES256GCM.seal(Array(token.utf8), using: key, authenticating: Self.tokenAAD(userID)).combined
        try repository.link(GitHubLink(userID: userID, githubID: identity.id, login: identity.login, sealedToken: sealed, linkedAt: Date()))
    }

    /// The user's GitHub client, or nil when GitHub is not linked.
    func client(for userID: UserID) throws -> (client: GitHubClient, link: GitHubLink)? {
        guard let link = try repository.link(userID: userID) else { return nil }
        let key = try dataKeys.key(for: userID)
        let token = try AES256GCM.open(try AES256GCM.SealedBox(combined: link.sealedToken), using: key, authenticating: Self.tokenAAD(userID))
        return (GitHubClient(apiURL: configuration.githubAPIURL, token: String(decoding: token, as: UTF8.self), http: http), link)
    }

    static func tokenAAD(_ userID: UserID) -> [UInt8] { Array("keyhaven:github-token:v1:\(userID.rawValue)".utf8) }
}
