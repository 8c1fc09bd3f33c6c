import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

/// The weak/reused password digest: sent after the report changes, at most once a day, with
/// counts and no password or title.
struct HealthDigestTests {
    static func digests(_ test: TestApplication, token: String) -> [[String: Any]] {
        let body = test.get("/notifications?limit=200", token: token).body
        let items = ((try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["items"] as? [[String: Any]]) ?? []
        return items.filter { $0["kind"] as? String == "password_health" }
    }

    @Test(arguments: TestDatabase.backends)
    func sentAfterChangesAtMostDaily(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let start = Date()
        // Nothing changed yet: nothing to send.
        #expect(test.app.healthDigests.sendDue(now: start) == 0)

        let weakTitle = "Bank of Examples"
        _ = try test.createItem(token, ["title": weakTitle, "password": "password1"])
        let shared = "Tr4il-Mix-Quartz-Lantern-88"
        _ = try test.createItem(token, ["title": "Mail", "password": shared])
        let forum = try test.createItem(token, ["title": "Forum", "password": shared])
        #expect(test.app.healthDigests.sendDue(now: start) == 1)
        var notes = Self.digests(test, token: token)
        #expect(notes.count == 1)
        let title = notes.first?["title"] as? String ?? ""
        #expect(title.contains("1 weak password") && title.contains("2 items sharing 1 reused password"))
        let text = "\(notes)"
        for secret in ["password1", shared, weakTitle, "Forum"] { #expect(!text.contains(secret)) }
        test.app.outbox.deliverDue()
        let emails = test.mailer.messages.filter { $0.subject.contains("Passwords to update") }
        #expect(emails.count == 1 && emails.first.map { !$0.body.contains(shared) } == true)

        // Nothing changed since: nothing more.
        #expect(test.app.healthDigests.sendDue(now: start.addingTimeInterval(3 * 24 * 3600)) == 0)

        // A change within the day waits for the day to pass, then goes out once.
        _ = try test.createItem(token, ["title": "Router", "password": "12345678"])
        #expect(test.app.healthDigests.sendDue(now: start.addingTimeInterval(3600)) == 0)
        #expect(test.app.healthDigests.sendDue(now: start.addingTimeInterval(25 * 3600)) == 1)
        #expect(test.app.healthDigests.sendDue(now: start.addingTimeInterval(26 * 3600)) == 0)
        notes = Self.digests(test, token: token)
        #expect(notes.count == 2 && (notes.first?["title"] as? String)?.contains("2 weak passwords") == true)

        // A change that leaves the report the same (a strong password renamed) sends nothing;
        // fixing the reuse changes the report, but a report getting better is worth a digest
        // only while something is still weak or reused.
        let renamed = try test.request("PUT", "/passwords/\(forum.id)", token: token, json: ["title": "Forum 2", "password": shared])
        #expect(renamed.status == 200)
        #expect(test.app.healthDigests.sendDue(now: start.addingTimeInterval(60 * 3600)) == 0)
        #expect(Self.digests(test, token: token).count == 2)
    }

    @Test func canBeMutedLikeOtherNonSecurityEmails() throws {
        let test = try TestApplication()
        let token = try test.signedIn("bob@example.com").accessToken
        let muted = test.client.execute(
            "PUT", "/notifications/settings", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(#"{"email":{"password_health":false}}"#.utf8))
        #expect(muted.status == 200)
        _ = try test.createItem(token, ["title": "x", "password": "qwerty"])
        #expect(test.app.healthDigests.sendDue() == 1)
        test.app.outbox.deliverDue()
        #expect(!test.mailer.messages.contains { $0.subject.contains("Passwords to update") })
        #expect(Self.digests(test, token: token).count == 1)  // in-app still
    }
}
