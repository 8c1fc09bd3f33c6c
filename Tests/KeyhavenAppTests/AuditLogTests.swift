import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct AuditLogTests {
    struct Event: Decodable {
        var id: String
        var event: String
        var createdAt: Date
        var ip: String
        var userAgent: String
        var detail: String?
    }

    struct Page: Decodable {
        var items: [Event]
        var nextCursor: String?
    }

    @Test(arguments: TestDatabase.backends)
    func ownEventsNewestFirstPaginatedWithoutSecrets(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let tokens = try test.signedIn("ada@example.com")
        _ = try test.login("ada@example.com", password: "a wrong password!")
        let item = try test.createItem(tokens.accessToken, ["title": "bank", "password": "hunter2-secret-value"])
        _ = try test.request("DELETE", "/passwords/\(item.id)", token: tokens.accessToken)
        let eve = try test.signedIn("eve@example.com").accessToken

        var events: [Event] = []
        var cursor: String?
        repeat {
            let response = try test.request("GET", "/audit-log?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: tokens.accessToken)
            #expect(response.status == 200)
            #expect(!response.bodyText.contains("hunter2") && !response.bodyText.contains(TestApplication.password))
            let page = try response.decode(Page.self)
            #expect(page.items.count <= 2)
            events += page.items
            cursor = page.nextCursor
        } while cursor != nil
        #expect(Set(events.map(\.event)) == ["signup", "login_succeeded", "login_failed", "item_created", "item_deleted"])
        #expect(Set(events.map(\.id)).count == events.count)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.createdAt >= $1.createdAt })
        #expect(events.first { $0.event == "login_failed" }?.detail == "wrong_password")
        #expect(events.allSatisfy { $0.ip == "127.0.0.1" })

        // Eve sees only her own, and Ada's cursor is no use to her.
        let evePage = try test.request("GET", "/audit-log", token: eve).decode(Page.self)
        #expect(Set(evePage.items.map(\.event)) == ["signup", "login_succeeded"])
        let adaCursor = try #require(try test.request("GET", "/audit-log?limit=1", token: tokens.accessToken).decode(Page.self).nextCursor)
        #expect(try test.request("GET", "/audit-log?cursor=\(adaCursor)", token: eve).status == 400)
        #expect(test.client.execute("GET", "/audit-log").status == 401)
    }
}
