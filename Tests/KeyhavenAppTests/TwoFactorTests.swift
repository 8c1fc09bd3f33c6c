import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

/// TOTP tests compare codes for "this step ± n" computed here with the server's "now": a step
/// boundary between the two would shift every offset by one. Each TOTP test therefore starts
/// with at least ten seconds left in the current step (waiting up to ten seconds otherwise).
func startInsideATimeStep() {
    let intoStep = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30)
    if intoStep > 20 { Thread.sleep(forTimeInterval: 30 - intoStep + 0.2) }
}

/// TOTP computed by an independent implementation (Python's hmac), not the server's code.
func independentTOTP(secret: String, offset: Int = 0) throws -> String {
    let script = """
        import base64, hmac, hashlib, struct, sys, time
        key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
        counter = int(time.time()) // 30 + int(sys.argv[2])
        digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
        offset = digest[-1] & 15
        print("%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, secret, String(offset)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return output.trimmingCharacters(in: .whitespacesAndNewlines)
}

struct Setup: Decodable {
    var method: String
    var secret: String?
    var otpauthUri: String?
    var qrCodeSvg: String?
}

struct Challenge: Decodable {
    var twoFactorRequired: Bool
    var challengeToken: String
    var methods: [String]
    var expiresIn: Int
}

extension TestApplication {
    /// Signs in, enrols TOTP and confirms it with the code for `confirmOffset` steps from now.
    func enrolTOTP(_ email: String, confirmOffset: Int = 0) throws -> (tokens: Tokens, secret: String, recoveryCodes: [String]) {
        startInsideATimeStep()
        let tokens = try signedIn(email)
        let setup = try post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "totp"]).decode(Setup.self)
        let secret = try #require(setup.secret)
        let confirmed = try post(
            "/auth/2fa/confirm", token: tokens.accessToken, json: ["code": try independentTOTP(secret: secret, offset: confirmOffset)])
        guard confirmed.status == 200 else { throw TestFailure("confirm: \(confirmed.status) \(confirmed.bodyText)") }
        struct Codes: Decodable { var recoveryCodes: [String] }
        return (tokens, secret, try confirmed.decode(Codes.self).recoveryCodes)
    }

    func challenge(_ email: String) throws -> Challenge {
        try login(email).decode(Challenge.self)
    }

    func verify(_ challenge: String, code: String) throws -> Response {
        try client.execute("POST", "/auth/verify-2fa", json: ["challenge_token": challenge, "code": code])
    }
}

struct TOTPTests {
    @Test(arguments: TestDatabase.backends)
    func enrolConfirmAndSignInWithTOTP(_ backend: DatabaseBackend) throws {
        startInsideATimeStep()
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        let setupResponse = try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "totp"])
        #expect(setupResponse.status == 200)
        let setup = try setupResponse.decode(Setup.self)
        let secret = try #require(setup.secret)
        #expect(Base32.decode(secret)?.count == 20)  // 160 bits
        #expect(setup.otpauthUri == "otpauth://totp/Keyhaven:ada%40example.com?secret=\(secret)&issuer=Keyhaven&algorithm=SHA1&digits=6&period=30")
        #expect(setup.qrCodeSvg?.hasPrefix("<svg") == true)
        // Pending: login still asks no code.
        #expect(try test.login("ada@example.com").decode(TestApplication.Tokens.self).tokenType == "Bearer")
        #expect(try test.post("/auth/2fa/confirm", token: tokens.accessToken, json: ["code": "000000"]).status == 422)

        let confirmed = try test.post("/auth/2fa/confirm", token: tokens.accessToken, json: ["code": try independentTOTP(secret: secret)])
        #expect(confirmed.status == 200)
        struct Codes: Decodable { var recoveryCodes: [String] }
        let codes = try confirmed.decode(Codes.self).recoveryCodes
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        #expect(codes.allSatisfy { $0.filter { $0 != "-" }.count * 5 >= 50 })
        let me = test.get("/auth/me", token: tokens.accessToken).bodyText
        #expect(me.contains(#""two_factor":{"enabled":true,"method":"totp"}"#))
        #expect(try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "email"]).status == 409)

        let challenge = try test.challenge("ada@example.com")
        #expect(challenge.twoFactorRequired)
        #expect(challenge.methods == ["totp", "recovery_code"])
        #expect(challenge.expiresIn == 300)
        // A challenge token is never an access token.
        #expect(test.get("/auth/me", token: challenge.challengeToken).status == 401)
        // The code just used to confirm is a replay; the next step's code (drift +1) is fine.
        #expect(try test.verify(challenge.challengeToken, code: try independentTOTP(secret: secret)).status == 401)
        let verified = try test.verify(challenge.challengeToken, code: try independentTOTP(secret: secret, offset: 1))
        #expect(verified.status == 200)
        let session = try verified.decode(TestApplication.Tokens.self)
        #expect(test.get("/auth/me", token: session.accessToken).status == 200)
        // A challenge signs in once.
        #expect(try test.verify(challenge.challengeToken, code: try independentTOTP(secret: secret, offset: 1)).status == 401)
    }

    @Test func driftOfOneStepIsAcceptedTwoIsNot() throws {
        let test = try TestApplication()
        // Confirmed with the previous step's code: drift -1 accepted, and it leaves now and +1 usable.
        let (_, secret, _) = try test.enrolTOTP("ada@example.com", confirmOffset: -1)
        let first = try test.challenge("ada@example.com")
        #expect(try test.verify(first.challengeToken, code: try independentTOTP(secret: secret, offset: 2)).status == 401)
        #expect(try test.verify(first.challengeToken, code: try independentTOTP(secret: secret, offset: -2)).status == 401)
        #expect(try test.verify(first.challengeToken, code: try independentTOTP(secret: secret, offset: 0)).status == 200)
        // Each step once: now's code again is refused, even on a new challenge.
        let second = try test.challenge("ada@example.com")
        #expect(try test.verify(second.challengeToken, code: try independentTOTP(secret: secret, offset: 0)).status == 401)
        #expect(try test.verify(second.challengeToken, code: try independentTOTP(secret: secret, offset: -1)).status == 401)
    }

    @Test func fiveWrongCodesKillTheChallenge() throws {
        let test = try TestApplication()
        let (_, secret, _) = try test.enrolTOTP("ada@example.com")
        let challenge = try test.challenge("ada@example.com")
        for _ in 0..<5 {
            let wrong = try test.verify(challenge.challengeToken, code: "123456x".prefix(6).description)
            #expect(wrong.status == 401)
            #expect(try wrong.decode(ProblemBody.self).code == "invalid_code")
        }
        let dead = try test.verify(challenge.challengeToken, code: try independentTOTP(secret: secret, offset: 1))
        #expect(dead.status == 401)
        #expect(try dead.decode(ProblemBody.self).code == "invalid_challenge")
    }

    @Test func recoveryCodesWorkOnceEach() throws {
        let test = try TestApplication()
        let (_, _, codes) = try test.enrolTOTP("ada@example.com")
        let first = try test.challenge("ada@example.com")
        #expect(try test.verify(first.challengeToken, code: codes[3].uppercased()).status == 200)
        let second = try test.challenge("ada@example.com")
        #expect(try test.verify(second.challengeToken, code: codes[3]).status == 401)
        #expect(try test.verify(second.challengeToken, code: codes[4].replacingOccurrences(of: "-", with: "")).status == 200)
        #expect(try auditKinds(test, "ada@example.com").filter { $0 == .recoveryCodeUsed }.count == 2)
    }

    @Test func disableNeedsPasswordAndCode() throws {
        let test = try TestApplication()
        let (tokens, secret, _) = try test.enrolTOTP("ada@example.com")
        let code = try independentTOTP(secret: secret, offset: 1)
        #expect(try test.post("/auth/2fa/disable", token: tokens.accessToken, json: ["password": "wrong password!!", "code": code]).status == 403)
        #expect(
            try test.post("/auth/2fa/disable", token: tokens.accessToken, json: ["password": TestApplication.password, "code": "000000"]).status
                == 403)
        #expect(
            try test.post("/auth/2fa/disable", token: tokens.accessToken, json: ["password": TestApplication.password, "code": code]).status == 204)
        #expect(test.get("/auth/me", token: tokens.accessToken).bodyText.contains(#""two_factor":{"enabled":false,"method":null}"#))
        #expect(try test.login("ada@example.com").decode(TestApplication.Tokens.self).tokenType == "Bearer")
        let kinds = try auditKinds(test, "ada@example.com")
        #expect(kinds.contains(.twoFactorEnabled) && kinds.contains(.twoFactorDisabled))
    }

    @Test(arguments: TestDatabase.backends)
    func theSecretIsStoredEncrypted(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let (_, secret, codes) = try test.enrolTOTP("ada@example.com")
        let raw = try #require(Base32.decode(secret))
        let rows = try test.app.database.read { connection in
            try connection.query("SELECT * FROM two_factor") + connection.query("SELECT * FROM recovery_codes")
        }
        let stored = rows.flatMap { row in
            row.values.values.map { value -> [UInt8] in
                switch value {
                case .blob(let bytes): bytes
                case .text(let text): Array(text.utf8)
                default: []
                }
            }
        }
        for bytes in stored {
            #expect(!bytes.contains(raw))
            #expect(!String(decoding: bytes, as: UTF8.self).contains(secret))
            for code in codes { #expect(!String(decoding: bytes, as: UTF8.self).contains(code.replacingOccurrences(of: "-", with: ""))) }
        }
    }

    static let hasQRTools =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/zbarimg")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert")

    /// The SVG renders (librsvg) to an image that a real QR decoder (zbar) reads back as the exact URI.
    @Test(.enabled(if: hasQRTools || TestDatabase.postgresRequired))
    func qrCodeDecodesToTheOtpauthURI() throws {
        let test = try TestApplication()
        let tokens = try test.signedIn("qr.user+tag@example.com")
        let setup = try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "totp"]).decode(Setup.self)
        let directory = TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(try #require(setup.qrCodeSvg).utf8).write(to: URL(fileURLWithPath: directory + "/qr.svg"))
        #expect(try runProcess("/usr/bin/rsvg-convert", ["-w", "400", "-o", directory + "/qr.png", directory + "/qr.svg"]).status == 0)
        let decoded = try runProcess("/usr/bin/zbarimg", ["--raw", "-q", directory + "/qr.png"])
        #expect(decoded.status == 0)
        #expect(decoded.output.trimmingCharacters(in: .newlines) == setup.otpauthUri)
    }
}

struct EmailTwoFactorTests {
    func lastCode(_ test: TestApplication) throws -> String {
        let body = try #require(test.mailer.messages.last?.body)
        return String(try #require(body.firstMatch(of: /\b(\d{6})\b/)).1)
    }

    @Test(arguments: TestDatabase.backends)
    func enrolAndSignInWithEmailedCodes(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        let setup = try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "email"])
        #expect(setup.status == 200)
        #expect(try setup.decode(Setup.self).secret == nil)
        #expect(test.mailer.messages.count == 1)
        #expect(test.mailer.messages[0].to == "ada@example.com")
        #expect(!test.mailer.messages[0].secretsRedacted.contains(try lastCode(test)))
        #expect(try test.post("/auth/2fa/confirm", token: tokens.accessToken, json: ["code": try lastCode(test)]).status == 200)

        let challenge = try test.challenge("ada@example.com")
        #expect(challenge.methods == ["email", "recovery_code"])
        #expect(test.mailer.messages.count == 2)
        let code = try lastCode(test)
        #expect(try test.verify(challenge.challengeToken, code: code).status == 200)
        // Used once.
        let again = try test.challenge("ada@example.com")
        #expect(try test.verify(again.challengeToken, code: code).status == 401)
        // No code ever reaches the log.
        #expect(!test.logs.lines.joined().contains(code))
    }

    @Test func emailedCodesExpireAndAllowFiveAttempts() throws {
        var security = SecuritySettings()
        security.twoFactorPerAccount = TokenBucketRule(capacity: 100, refillPerMinute: 100)
        let test = try TestApplication(security: security)
        let tokens = try test.signedIn("ada@example.com")
        _ = try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "email"])
        #expect(try test.post("/auth/2fa/confirm", token: tokens.accessToken, json: ["code": try lastCode(test)]).status == 200)

        let expiring = try test.challenge("ada@example.com")
        let code = try lastCode(test)
        try test.app.database.write { try $0.execute("UPDATE email_codes SET expires_at = 0") }
        #expect(try test.verify(expiring.challengeToken, code: code).status == 401)

        let guessed = try test.challenge("ada@example.com")
        let right = try lastCode(test)
        let wrong = right == "000000" ? "111111" : "000000"
        for _ in 0..<5 { #expect(try test.verify(guessed.challengeToken, code: wrong).status == 401) }
        #expect(try test.verify(guessed.challengeToken, code: right).status == 401)

        let fresh = try test.challenge("ada@example.com")
        #expect(try test.verify(fresh.challengeToken, code: try lastCode(test)).status == 200)
    }

    /// Beyond each challenge's five attempts, an account's second-factor attempts are rate limited.
    @Test func secondFactorAttemptsAreRateLimitedPerAccount() throws {
        let test = try TestApplication()
        let (_, _, _) = try test.enrolTOTP("ada@example.com")
        var statuses: [Int] = []
        for _ in 0..<3 {
            let challenge = try test.challenge("ada@example.com")
            for _ in 0..<5 { statuses.append(try test.verify(challenge.challengeToken, code: "000001").status) }
        }
        #expect(statuses.contains(429))
        #expect(!statuses.contains(200))
    }

    @Test func reauthenticationCodeDisablesEmailTwoFactor() throws {
        let test = try TestApplication()
        let tokens = try test.signedIn("ada@example.com")
        #expect(try test.post("/auth/2fa/email-code", token: tokens.accessToken).status == 409)  // no email 2FA yet
        _ = try test.post("/auth/2fa/setup", token: tokens.accessToken, json: ["method": "email"])
        #expect(try test.post("/auth/2fa/confirm", token: tokens.accessToken, json: ["code": try lastCode(test)]).status == 200)
        #expect(try test.post("/auth/2fa/email-code", token: tokens.accessToken).status == 202)
        let response = try test.post(
            "/auth/2fa/disable", token: tokens.accessToken, json: ["password": TestApplication.password, "code": try lastCode(test)])
        #expect(response.status == 204)
    }
}

/// The whole TOTP flow over a real socket.
struct TwoFactorSocketTests {
    @Test func enrolAndVerifyOverTheWire() throws {
        startInsideATimeStep()
        let test = try TestApplication()
        let server = try test.app.startServer(port: 0)
        defer { server.shutdown() }
        func call(_ path: String, _ json: String, token: String? = nil) throws -> Response {
            var headers = ["Content-Type": "application/json"]
            if let token { headers["Authorization"] = "Bearer \(token)" }
            return try SocketHTTPClient.request(port: server.port, method: "POST", path: path, headers: headers, body: Array(json.utf8))
        }
        let credentials = #"{"email":"ada@example.com","password":"correct horse battery staple"}"#
        #expect(try call("/auth/signup", credentials).status == 201)
        let tokens = try call("/auth/login", credentials).decode(TestApplication.Tokens.self)
        let setup = try call("/auth/2fa/setup", #"{"method":"totp"}"#, token: tokens.accessToken).decode(Setup.self)
        let secret = try #require(setup.secret)
        #expect(try call("/auth/2fa/confirm", #"{"code":"\#(try independentTOTP(secret: secret))"}"#, token: tokens.accessToken).status == 200)
        let challenge = try call("/auth/login", credentials).decode(Challenge.self)
        let verified = try call(
            "/auth/verify-2fa", #"{"challenge_token":"\#(challenge.challengeToken)","code":"\#(try independentTOTP(secret: secret, offset: 1))"}"#)
        #expect(verified.status == 200)
        #expect(verified.headers["Cache-Control"] == "no-store")
    }
}

/// Emailed codes through a real SMTP server (aiosmtpd), end to end.
struct EmailTwoFactorSMTPTests {
    @Test(.enabled(if: SMTPTestServer.isAvailable || TestDatabase.postgresRequired))
    func codesArriveByRealEmail() throws {
        let smtp = try SMTPTestServer.start()
        defer { smtp.stop() }
        let test = try TestApplication(environment: ["KEYHAVEN_SMTP_URL": smtp.url.absoluteString, "KEYHAVEN_MAIL_FROM": "vault@example.com"])
        let app = try buildApplication(configuration: test.app.configuration, logger: Logger(sink: MemoryLogSink()))
        defer {
            app.workPool.stop()
            app.database.close()
        }
        let client = TestClient(responder: app.responder)
        _ = try client.execute("POST", "/auth/signup", json: ["email": "ada@example.com", "password": TestApplication.password])
        let token = try client.execute("POST", "/auth/login", json: ["email": "ada@example.com", "password": TestApplication.password])
            .decode(TestApplication.Tokens.self).accessToken
        #expect(try client.execute("POST", "/auth/2fa/setup", json: ["method": "email"], headers: ["Authorization": "Bearer \(token)"]).status == 200)

        /// The six-digit code in the base64 text part of the newest message.
        func latestCode(after count: Int) throws -> String {
            let message = try #require(try smtp.waitForMessages(count: count + 1).last)
            #expect(message.contains("To: ada@example.com") && message.contains("From: vault@example.com"))
            let texts = message.components(separatedBy: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let data = Data(base64Encoded: trimmed), let text = String(data: data, encoding: .utf8) else { return nil }
                return text
            }
            return String(try #require(texts.joined().firstMatch(of: /\b(\d{6})\b/)).1)
        }
        let confirmCode = try latestCode(after: 0)
        #expect(
            try client.execute("POST", "/auth/2fa/confirm", json: ["code": confirmCode], headers: ["Authorization": "Bearer \(token)"]).status == 200)
        let challenge = try client.execute("POST", "/auth/login", json: ["email": "ada@example.com", "password": TestApplication.password])
            .decode(Challenge.self)
        let loginCode = try latestCode(after: 1)
        #expect(try client.execute("POST", "/auth/verify-2fa", json: ["challenge_token": challenge.challengeToken, "code": loginCode]).status == 200)
    }
}
