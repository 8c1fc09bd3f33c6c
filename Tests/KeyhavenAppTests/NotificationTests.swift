import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct NotificationTests {
    struct Item: Decodable {
        var id: String
        var kind: String
        var title: String
        var body: String
        var readAt: Date?
    }

    struct Page: Decodable {
        var items: [Item]
        var nextCursor: String?
    }

    struct Settings: Decodable {
        var email: [String: Bool]
        var securityAlerts: [String]
    }

    @Test(arguments: TestDatabase.backends)
    func eventsNotifyInAppAndByEmailWithoutSecrets(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        let item = try test.createItem(tokens.accessToken, ["title": "Bank of Secrets", "password": "hunter2-very-secret"])
        _ = try test.request(
            "PUT", "/passwords/\(item.id)", token: tokens.accessToken, json: ["title": "Bank of Secrets", "password": "new-secret-value"])
        _ = try test.refresh(tokens.refreshToken)
        _ = try test.refresh(tokens.refreshToken)  // reuse: a security alert
        let fresh = try test.login("ada@example.com").decode(TestApplication.Tokens.self)
        _ = try test.request(
            "POST", "/auth/change-password", token: fresh.accessToken,
            json: ["current_password": TestApplication.password, "new_password": "an entirely new passphrase"])

        let response = try test.request("GET", "/notifications", token: fresh.accessToken)
        #expect(response.status == 200)
        #expect(test.app.outbox.deliverDue() == 4)
        let page = try response.decode(Page.self)
        #expect(page.items.map(\.kind) == ["password_changed", "refresh_token_reused", "item_changed", "item_changed"])
        #expect(page.items.allSatisfy { $0.readAt == nil })
        let mail = test.mailer.messages
        #expect(mail.count == 4)
        #expect(mail.allSatisfy { $0.to == "ada@example.com" })
        for secret in ["Bank of Secrets", "hunter2", "new-secret-value", TestApplication.password, "an entirely new passphrase", tokens.refreshToken]
        {
            #expect(!response.bodyText.contains(secret))
            #expect(!mail.contains { $0.body.contains(secret) || $0.subject.contains(secret) })
        }

        // Read one; unread filter; another user's id is 404.
        let first = page.items[0].id
        #expect(try test.request("POST", "/notifications/\(first)/read", token: fresh.accessToken).status == 204)
        let unread = try test.request("GET", "/notifications?unread=true", token: fresh.accessToken).decode(Page.self)
        #expect(unread.items.count == 3 && !unread.items.contains { $0.id == first })
        let eve = try test.signedIn("eve@example.com").accessToken
        #expect(try test.request("POST", "/notifications/\(first)/read", token: eve).status == 404)
        #expect(try test.request("GET", "/notifications", token: eve).decode(Page.self).items.isEmpty)
        let paged = try test.request("GET", "/notifications?limit=3", token: fresh.accessToken).decode(Page.self)
        #expect(paged.items.count == 3)
        let rest = try test.request("GET", "/notifications?limit=3&cursor=\(try #require(paged.nextCursor))", token: fresh.accessToken).decode(
            Page.self)
        #expect(rest.items.count == 1 && rest.nextCursor == nil)
    }

    @Test func emailsCanBeTurnedOffExceptSecurityAlerts() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let initial = try test.request("GET", "/notifications/settings", token: token).decode(Settings.self)
        #expect(initial.email.values.allSatisfy { $0 })
        #expect(Set(initial.securityAlerts) == ["refresh_token_reused", "recovery_code_used", "password_changed", "export_made", "github_linked"])
        let put = { (json: String) in
            test.client.execute(
                "PUT", "/notifications/settings", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: Array(json.utf8))
        }
        #expect(put(#"{"email":{"password_changed":false}}"#).status == 422)
        #expect(put(#"{"email":{"no_such_kind":false}}"#).status == 422)
        let updated = put(#"{"email":{"item_changed":false}}"#)
        #expect(updated.status == 200)
        #expect(try updated.decode(Settings.self).email["item_changed"] == false)
        _ = try test.createItem(token, ["title": "t", "password": "p"])
        #expect(test.app.outbox.deliverDue() == 0)
        #expect(test.mailer.messages.isEmpty)  // muted by email…
        #expect(try test.request("GET", "/notifications", token: token).decode(Page.self).items.count == 1)  // …still in the app
    }
}

/// The outbox against a real SMTP server that goes away and comes back.
struct OutboxTests {
    @Test(arguments: TestDatabase.backends)
    func nothingIsLostWhileSMTPIsDownAndNothingIsSentTwice(_ backend: DatabaseBackend) throws {
        guard SMTPTestServer.isAvailable || TestDatabase.postgresRequired else { return }
        let smtp = try SMTPTestServer.start()
        defer { smtp.stop() }
        let test = try TestApplication(
            backend, environment: ["KEYHAVEN_SMTP_URL": smtp.url.absoluteString, "KEYHAVEN_MAIL_FROM": "vault@example.com"])
        // This application sends real email: build it without the recording mailer.
        let app = try buildApplication(configuration: test.app.configuration, logger: Logger(sink: MemoryLogSink()))
        defer {
            app.workPool.stop()
            app.database.close()
        }
        let client = TestClient(responder: app.responder)
        _ = try client.execute("POST", "/auth/signup", json: ["email": "ada@example.com", "password": TestApplication.password])
        let token = try client.execute("POST", "/auth/login", json: ["email": "ada@example.com", "password": TestApplication.password])
            .decode(TestApplication.Tokens.self).accessToken
        let outbox = SQLOutboxRepository(database: app.database)

        smtp.stop()
        for index in 0..<3 {
            let created = try client.execute(
                "POST", "/passwords", json: ["title": "t\(index)", "password": "p"], headers: ["Authorization": "Bearer \(token)"])
            #expect(created.status == 201)  // the request does not wait for email
        }
        #expect(app.outbox.deliverDue() == 0)
        #expect(try outbox.pendingCount() == 3)
        let failures = try app.database.read { try $0.query("SELECT attempts, last_error FROM outbox") }
        #expect(try failures.allSatisfy { try $0.integer("attempts") == 1 && $0.optionalString("last_error") != nil })

        try smtp.launch()
        #expect(app.outbox.deliverDue() == 0)  // not due yet: retries back off
        try app.database.write { try $0.execute("UPDATE outbox SET next_attempt_at = 0") }
        #expect(app.outbox.deliverDue() == 3)
        #expect(app.outbox.deliverDue() == 0)
        #expect(try outbox.pendingCount() == 0)
        let delivered = try smtp.waitForMessages(count: 3)
        #expect(delivered.count == 3)
        #expect(
            delivered.allSatisfy {
                $0.contains("To: ada@example.com") && $0.contains("From: vault@example.com") && $0.contains("Subject: Keyhaven: Password added")
            })
    }
}
