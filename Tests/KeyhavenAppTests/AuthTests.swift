import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct SignupTests {
    @Test(arguments: TestDatabase.backends)
    func signupCreatesTheAccount(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let response = try test.signup("  Ada@Example.COM ")
        #expect(response.status == 201)
        #expect(response.headers["Location"] == "/auth/me")
        struct Created: Decodable {
            struct User: Decodable {
                struct TwoFactor: Decodable {
                    var enabled: Bool
                    var method: String?
                }
                struct GitHub: Decodable {
                    var linked: Bool
                    var login: String?
                }
                var id: String
                var email: String
                var createdAt: Date
                var twoFactor: TwoFactor
                var github: GitHub
            }
            var user: User
        }
        let created = try response.decode(Created.self)
        #expect(created.user.email == "Ada@example.com")
        #expect(!created.user.twoFactor.enabled)
        #expect(!created.user.github.linked)
        #expect(response.bodyText.contains(#""method":null"#))
        #expect(!response.bodyText.contains("password"))
        // One account per address, whatever the case.
        let duplicate = try test.signup("ada@EXAMPLE.com")
        #expect(duplicate.status == 409)
        #expect(try duplicate.decode(ProblemBody.self).code == "email_taken")
    }

    @Test(arguments: [
        ("not-an-email", TestApplication.password, "email"),
        ("a@b@c.com", TestApplication.password, "email"),
        ("", TestApplication.password, "email"),
        ("x@example.com", "short pass", "password"),
        ("x@example.com", "password1234", "password"),
        ("x@example.com", "Dragon2024!!!", "password"),
        ("x@example.com", "aaaaaaaaaaaaaaaa", "password"),
        ("longaddress@example.com", "LongAddress@Example.com", "password"),
        ("x@example.com", String(repeating: "x", count: 1025), "password"),
    ])
    func refusesInvalidInputWithFieldErrors(email: String, password: String, field: String) throws {
        let test = try TestApplication()
        let response = try test.signup(email, password: password)
        #expect(response.status == 422)
        struct Problem: Decodable {
            var code: String
            var errors: [HTTPError.FieldError]
        }
        let problem = try response.decode(Problem.self)
        #expect(problem.code == "validation_failed")
        #expect(problem.errors.contains { $0.field == field })
    }

    @Test func passwordLengthCountsCharactersNotBytes() throws {
        let test = try TestApplication()
        #expect(try test.signup("emoji@example.com", password: "🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑").status == 422)  // 11 characters
        #expect(try test.signup("emoji@example.com", password: "🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑x").status == 201)
        #expect(try test.signup("long@example.com", password: String(repeating: "ab", count: 512)).status == 201)
    }

    @Test func refusesUnknownFieldsAndMalformedBodies() throws {
        let test = try TestApplication()
        let unknown = try test.client.execute(
            "POST", "/auth/signup", json: ["email": "a@example.com", "password": TestApplication.password, "admin": "true"])
        #expect(unknown.status == 422)
        let malformed = test.client.execute("POST", "/auth/signup", headers: ["Content-Type": "application/json"], body: Array("{".utf8))
        #expect(malformed.status == 400)
        #expect(test.client.execute("POST", "/auth/signup", headers: ["Content-Type": "text/plain"], body: Array("{}".utf8)).status == 415)
    }

    /// With enable_2fa the set-up comes back at once; it is not active (login asks no code) until confirmed.
    @Test func twoFactorAtSignupStartsAPendingSetup() throws {
        let test = try TestApplication()
        let response = try test.client.execute(
            "POST", "/auth/signup", json: SignupWith2FA(email: "a@example.com", password: TestApplication.password, enable_2fa: true))
        #expect(response.status == 201)
        struct Created: Decodable {
            struct Setup: Decodable {
                var method: String
                var secret: String?
                var otpauthUri: String?
            }
            var twoFactorSetup: Setup
        }
        let setup = try response.decode(Created.self).twoFactorSetup
        #expect(setup.method == "totp")
        #expect(setup.otpauthUri?.hasPrefix("otpauth://totp/Keyhaven:a%40example.com?secret=") == true)
        #expect(try test.login("a@example.com").decode(TestApplication.Tokens.self).tokenType == "Bearer")
    }

    struct SignupWith2FA: Encodable {
        var email: String
        var password: String
        var enable_2fa: Bool
    }
}

struct LoginTests {
    @Test(arguments: TestDatabase.backends)
    func loginIssuesAnEdDSAAccessTokenAndOpaqueRefreshToken(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        try test.signup("ada@example.com")
        let response = try test.login("ADA@example.com")
        #expect(response.status == 200)
        #expect(response.headers["Cache-Control"] == "no-store")
        let tokens = try response.decode(TestApplication.Tokens.self)
        #expect(tokens.tokenType == "Bearer")
        #expect(tokens.expiresIn == 900)
        #expect(tokens.refreshToken.split(separator: ".").count == 1)  // not a JWT
        let parts = tokens.accessToken.split(separator: ".")
        #expect(parts.count == 3)
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[0])!)) as? [String: String]
        #expect(header?["alg"] == "EdDSA")
        #expect(header?["kid"] == test.app.keys.tokenSigningKeys.activeKeyID)
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1])!)) as? [String: Any])
        for claim in ["sub", "sid", "iat", "exp", "iss", "aud", "jti"] { #expect(claims[claim] != nil, "missing \(claim)") }
        #expect((claims["exp"] as? Int).map { $0 - (claims["iat"] as? Int ?? 0) } == 900)

        let me = test.get("/auth/me", token: tokens.accessToken)
        #expect(me.status == 200)
        #expect(try me.decode([String: AnyDecodable].self)["email"]?.string == "ada@example.com")
    }

    /// Unknown email and wrong password are indistinguishable: same status, same body but for the request id.
    @Test(arguments: TestDatabase.backends)
    func unknownEmailAndWrongPasswordLookTheSame(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        try test.signup("ada@example.com")
        let wrong = try test.login("ada@example.com", password: "not the right password")
        let unknown = try test.login("nobody@example.com", password: "not the right password")
        #expect(wrong.status == 401)
        #expect(unknown.status == 401)
        #expect(wrong.headers["WWW-Authenticate"] == "Bearer")
        func stripped(_ response: Response) throws -> [String: String] {
            var object = try response.decode([String: AnyDecodable].self).compactMapValues(\.string)
            object["request_id"] = nil
            object["detail"] = object["detail"]?.replacingOccurrences(of: response.headers["X-Request-Id"] ?? "", with: "")
            return object
        }
        #expect(try stripped(wrong) == stripped(unknown))
    }

    /// The pre-hash makes every byte count: bcrypt alone would accept the second password.
    @Test func passwordsDifferingAfterByte72AreDifferent() throws {
        let test = try TestApplication()
        let prefix = String(repeating: "k", count: 72)
        try test.signup("long@example.com", password: prefix + "-first")
        #expect(try test.login("long@example.com", password: prefix + "-first").status == 200)
        #expect(try test.login("long@example.com", password: prefix + "-second").status == 401)
    }

    @Test func unicodeNormalisationFormsAreOnePassword() throws {
        let test = try TestApplication()
        let composed = "caf\u{E9} au lait secret"
        let decomposed = "cafe\u{301} au lait secret"
        try test.signup("nfc@example.com", password: composed)
        #expect(try test.login("nfc@example.com", password: decomposed).status == 200)
    }

    @Test func hashIsUpgradedWhenTheCostChanges() throws {
        let test = try TestApplication()
        try test.signup("ada@example.com")
        let users = SQLUserRepository(database: test.app.database)
        #expect(try users.find(emailKey: "ada@example.com")!.passwordHash.contains("$2b$04$"))
        var configuration = test.app.configuration
        configuration.bcryptCost = 10
        let upgraded = try buildApplication(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        defer {
            upgraded.workPool.stop()
            upgraded.database.close()
        }
        let response = try TestClient(responder: upgraded.responder).execute(
            "POST", "/auth/login", json: ["email": "ada@example.com", "password": TestApplication.password])
        #expect(response.status == 200)
        let stored = try #require(try users.find(emailKey: "ada@example.com")).passwordHash
        #expect(stored.contains("$2b$10$"))
        #expect(stored.hasPrefix("kh1$\(test.app.keys.masterKeys.activeKeyID)$"))
        #expect(try test.login("ada@example.com").status == 200)
    }
}

struct AccessTokenTests {
    @Test func missingMalformedOrMisplacedCredentialsAre401() throws {
        let test = try TestApplication()
        let tokens = try test.signedIn("ada@example.com")
        let cases: [(String, HTTPHeaders)] = [
            ("/auth/me", [:]),
            ("/auth/me", ["Authorization": "Bearer"]),
            ("/auth/me", ["Authorization": "Basic YWRhOnB3"]),
            ("/auth/me", ["Authorization": "Bearer not.a.jwt"]),
            ("/auth/me?access_token=\(tokens.accessToken)", [:]),  // never from the query string
            ("/auth/me", ["Authorization": "Bearer \(tokens.refreshToken)"]),  // a refresh token is not an access token
        ]
        for (target, headers) in cases {
            let response = test.client.execute("GET", target, headers: headers)
            #expect(response.status == 401, "\(target) \(headers.fields)")
            #expect(response.headers["WWW-Authenticate"] == "Bearer")
        }
        #expect(test.client.execute("GET", "/auth/me", headers: ["Authorization": "bearer \(tokens.accessToken)"]).status == 200)
    }

    @Test func aTokenForADeletedSessionOrWithForgedSubjectIsRefused() throws {
        let test = try TestApplication()
        let ada = try test.signedIn("ada@example.com")
        _ = try test.signedIn("bob@example.com")
        // Re-sign Ada's claims with Bob as subject but Ada's session: the session/user check refuses it.
        let parts = ada.accessToken.split(separator: ".")
        var claims = try JSONDecoder().decode(JWT.Claims.self, from: Data(Base64URL.decode(parts[1])!))
        let bob = try SQLUserRepository(database: test.app.database).find(emailKey: "bob@example.com")!
        claims.sub = bob.id.rawValue
        let forged = try JWT.sign(claims, keys: test.app.keys.tokenSigningKeys)
        #expect(test.get("/auth/me", token: forged).status == 401)
    }
}

struct RefreshTests {
    @Test(arguments: TestDatabase.backends)
    func refreshRotatesAndReuseRevokesTheSession(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let first = try test.signedIn("ada@example.com")
        let rotated = try test.refresh(first.refreshToken)
        #expect(rotated.status == 200)
        #expect(rotated.headers["Cache-Control"] == "no-store")
        let second = try rotated.decode(TestApplication.Tokens.self)
        #expect(second.refreshToken != first.refreshToken)
        #expect(test.get("/auth/me", token: second.accessToken).status == 200)

        // The spent token again: the whole session ends, including the tokens just issued.
        let reuse = try test.refresh(first.refreshToken)
        #expect(reuse.status == 401)
        #expect(try reuse.decode(ProblemBody.self).code == "refresh_token_reused")
        #expect(test.get("/auth/me", token: second.accessToken).status == 401)
        #expect(try test.refresh(second.refreshToken).status == 401)
        let events = try auditKinds(test, "ada@example.com")
        #expect(events.contains(.refreshTokenReused))
    }

    @Test(arguments: TestDatabase.backends)
    func concurrentRefreshesWithOneTokenHaveExactlyOneWinner(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        for round in 0..<5 {
            let tokens = try test.signedIn("race\(round)@example.com")
            let statuses = Locked<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let status = (try? test.refresh(tokens.refreshToken).status) ?? -1
                statuses.withLock { $0.append(status) }
            }
            #expect(statuses.value.sorted() == [200, 401], "round \(round)")
        }
    }

    @Test func unknownOrGarbageRefreshTokensAre401() throws {
        let test = try TestApplication()
        #expect(try test.refresh("khr_nope").status == 401)
        #expect(try test.refresh("").status == 401)
    }
}

struct SessionEndingTests {
    @Test(arguments: TestDatabase.backends)
    func logoutEndsTheSessionAtOnce(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        let other = try test.login("ada@example.com").decode(TestApplication.Tokens.self)
        #expect(try test.post("/auth/logout", token: tokens.accessToken).status == 204)
        #expect(test.get("/auth/me", token: tokens.accessToken).status == 401)
        #expect(try test.refresh(tokens.refreshToken).status == 401)
        #expect(test.get("/auth/me", token: other.accessToken).status == 200)
        // With another session's refresh token in the body, that session ends too.
        let third = try test.login("ada@example.com").decode(TestApplication.Tokens.self)
        #expect(try test.post("/auth/logout", token: third.accessToken, json: ["refresh_token": other.refreshToken]).status == 204)
        #expect(test.get("/auth/me", token: other.accessToken).status == 401)
    }

    @Test func logoutAllEndsEverySession() throws {
        let test = try TestApplication()
        let first = try test.signedIn("ada@example.com")
        let second = try test.login("ada@example.com").decode(TestApplication.Tokens.self)
        #expect(try test.post("/auth/logout-all", token: second.accessToken).status == 204)
        #expect(test.get("/auth/me", token: first.accessToken).status == 401)
        #expect(test.get("/auth/me", token: second.accessToken).status == 401)
    }

    @Test(arguments: TestDatabase.backends)
    func changePasswordEndsOtherSessionsOnly(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let current = try test.signedIn("ada@example.com")
        let other = try test.login("ada@example.com").decode(TestApplication.Tokens.self)
        let wrong = try test.post(
            "/auth/change-password", token: current.accessToken,
            json: ["current_password": "wrong password!", "new_password": "a brand new passphrase"])
        #expect(wrong.status == 403)
        let weak = try test.post(
            "/auth/change-password", token: current.accessToken, json: ["current_password": TestApplication.password, "new_password": "password1234"])
        #expect(weak.status == 422)
        let changed = try test.post(
            "/auth/change-password", token: current.accessToken,
            json: ["current_password": TestApplication.password, "new_password": "a brand new passphrase"])
        #expect(changed.status == 204)
        #expect(test.get("/auth/me", token: current.accessToken).status == 200)
        #expect(test.get("/auth/me", token: other.accessToken).status == 401)
        #expect(try test.login("ada@example.com").status == 401)
        #expect(try test.login("ada@example.com", password: "a brand new passphrase").status == 200)
        #expect(try auditKinds(test, "ada@example.com").contains(.passwordChanged))
    }

    @Test func sessionsAreListedAndPaginated() throws {
        let test = try TestApplication()
        let tokens = try test.signedIn("ada@example.com")
        for _ in 0..<2 { _ = try test.login("ada@example.com", headers: ["User-Agent": "phone\u{7}app"]) }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let target = "/auth/sessions?limit=1" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = test.get(target, token: tokens.accessToken)
            #expect(response.status == 200)
            struct Page: Decodable {
                struct Item: Decodable {
                    var id: String
                    var ip: String
                    var userAgent: String
                    var current: Bool
                }
                var items: [Item]
                var nextCursor: String?
            }
            let page = try response.decode(Page.self)
            #expect(page.items.count <= 1)
            seen += page.items.map(\.id)
            #expect(page.items.allSatisfy { $0.ip == "127.0.0.1" && !$0.userAgent.contains("\u{7}") })
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen.count == 3)
        #expect(Set(seen).count == 3)
        #expect(test.get("/auth/sessions?limit=0", token: tokens.accessToken).status == 400)
        #expect(test.get("/auth/sessions?cursor=%%%", token: tokens.accessToken).status == 400)
    }
}

struct AccountDeletionTests {
    @Test(arguments: TestDatabase.backends)
    func deletingTheAccountRemovesItsData(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        _ = try test.signedIn("bob@example.com")
        let userID = try SQLUserRepository(database: test.app.database).find(emailKey: "ada@example.com")!.id
        let wrong = try test.client.execute(
            "DELETE", "/auth/me", json: ["password": "not my password"], headers: ["Authorization": "Bearer \(tokens.accessToken)"])
        #expect(wrong.status == 403)
        let deleted = try test.client.execute(
            "DELETE", "/auth/me", json: ["password": TestApplication.password], headers: ["Authorization": "Bearer \(tokens.accessToken)"])
        #expect(deleted.status == 204)
        #expect(test.get("/auth/me", token: tokens.accessToken).status == 401)
        #expect(try test.login("ada@example.com").status == 401)
        func count(_ sql: String) throws -> Int64 {
            try test.app.database.read { try $0.query(sql, [.text(userID.rawValue)]) }[0].integer("c")
        }
        #expect(try count("SELECT COUNT(*) AS c FROM users WHERE id = $1") == 0)
        #expect(try count("SELECT COUNT(*) AS c FROM sessions WHERE user_id = $1") == 0)
        #expect(
            try count("SELECT COUNT(*) AS c FROM refresh_tokens JOIN sessions ON sessions.id = refresh_tokens.session_id WHERE sessions.user_id = $1")
                == 0)
        // Only the deletion itself stays in the trail.
        #expect(try SQLAuditLogRepository(database: test.app.database).events(userID: userID, limit: 10).map(\.kind) == [.accountDeleted])
        #expect(try test.login("bob@example.com").status == 200)
        // The address is free again.
        #expect(try test.signup("ada@example.com").status == 201)
    }
}

struct ThrottlingTests {
    /// Five wrong passwords, then even the right one is refused with 429 and an integer Retry-After,
    /// and an unknown address behaves exactly the same.
    @Test(arguments: TestDatabase.backends)
    func failedLoginsThrottleTheAccount(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        try test.signup("ada@example.com")
        for email in ["ada@example.com", "ghost@example.com"] {
            for _ in 0..<5 { #expect(try test.login(email, password: "wrong password!!").status == 401) }
            let throttled = try test.login(email)
            #expect(throttled.status == 429, "\(email)")
            let retryAfter = try #require(throttled.headers["Retry-After"])
            #expect(Int(retryAfter).map { $0 >= 1 && $0 <= 60 } == true)
            #expect(try throttled.decode(ProblemBody.self).code == "rate_limited")
        }
        #expect(try auditKinds(test, "ada@example.com").filter { $0 == .loginFailed }.count == 6)
        // Another account is unaffected.
        #expect(try test.signup("bob@example.com").status == 201)
        #expect(try test.login("bob@example.com").status == 200)
    }

    @Test func successfulLoginsDoNotUseUpTheFailureAllowance() throws {
        let test = try TestApplication()
        try test.signup("ada@example.com")
        for _ in 0..<8 { #expect(try test.login("ada@example.com").status == 200) }
    }

    @Test func perAddressLimitsApplyToLoginSignupAndRefresh() throws {
        var security = SecuritySettings()
        security.loginPerAddress = TokenBucketRule(capacity: 3, refillPerMinute: 1)
        security.signupPerAddress = TokenBucketRule(capacity: 2, refillPerMinute: 1)
        security.refreshPerAddress = TokenBucketRule(capacity: 2, refillPerMinute: 1)
        let test = try TestApplication(security: security)
        #expect(try test.signup("a@example.com").status == 201)
        #expect(try test.signup("b@example.com").status == 201)
        #expect(try test.signup("c@example.com").status == 429)
        for _ in 0..<3 { #expect(try test.login("a@example.com").status == 200) }
        let limited = try test.login("b@example.com")
        #expect(limited.status == 429)
        #expect(Int(limited.headers["Retry-After"] ?? "") ?? 0 >= 1)
        #expect(try test.refresh("x").status == 401)
        #expect(try test.refresh("x").status == 401)
        #expect(try test.refresh("x").status == 429)
        // Another client address has its own buckets.
        let elsewhere = TestClient(responder: test.app.responder, peerAddress: "192.0.2.7")
        #expect(try elsewhere.execute("POST", "/auth/login", json: ["email": "b@example.com", "password": TestApplication.password]).status == 200)
    }
}

struct AuditTests {
    @Test(arguments: TestDatabase.backends)
    func securityEventsAreRecordedWithoutSecrets(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        _ = try test.login("ada@example.com", password: "a wrong password")
        _ = try test.post("/auth/logout", token: tokens.accessToken)
        let userID = try SQLUserRepository(database: test.app.database).find(emailKey: "ada@example.com")!.id
        let events = try SQLAuditLogRepository(database: test.app.database).events(userID: userID, limit: 50)
        #expect(Set(events.map(\.kind)) == [.signup, .loginSucceeded, .loginFailed, .logout])
        #expect(events.allSatisfy { $0.ipAddress == "127.0.0.1" })
        #expect(events.first { $0.kind == .loginFailed }?.detail == "wrong_password")
        // No secret anywhere in the trail or the logs.
        let rows = try test.app.database.read { try $0.query("SELECT * FROM audit_events") }
        let dump = rows.map { "\($0.values)" }.joined() + test.logs.lines.joined()
        for secret in [TestApplication.password, "a wrong password", tokens.refreshToken, tokens.accessToken] {
            #expect(!dump.contains(secret))
        }
    }
}

func auditKinds(_ test: TestApplication, _ email: String) throws -> [AuditEvent.Kind] {
    let user = try #require(try SQLUserRepository(database: test.app.database).find(emailKey: email))
    return try SQLAuditLogRepository(database: test.app.database).events(userID: user.id, limit: 100).map(\.kind)
}

/// Decodes any JSON value, for loose checks of response bodies.
struct AnyDecodable: Decodable {
    let value: Any?
    var string: String? { value as? String }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = nil
        } else if let bool = try? container.decode(Bool.self) {
            value = bool
        } else if let int = try? container.decode(Int.self) {
            value = int
        } else if let string = try? container.decode(String.self) {
            value = string
        } else if let array = try? container.decode([AnyDecodable].self) {
            value = array.map(\.value)
        } else {
            value = try container.decode([String: AnyDecodable].self).mapValues(\.value)
        }
    }
}
