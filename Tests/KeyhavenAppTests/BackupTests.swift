import Foundation
import KeyhavenHTTP
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct BackupTests {
    /// A backup taken while another thread keeps writing items holds every item acknowledged
    /// before it began, passes the integrity check, and serves them after a "restore" (a server
    /// started on the copy with the same key files).
    @Test func onlineBackupDuringWritesRestores() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        var before: [String] = []
        for index in 0..<200 { before.append(try test.createItem(token, ["title": "before \(index)", "password": "p\(index)"]).id) }
        let stop = Locked(false)
        let writer = Thread {
            var index = 0
            while !stop.value {
                _ = try? test.createItem(token, ["title": "during \(index)", "password": "p"])
                index += 1
            }
        }
        writer.start()
        defer { stop.value = true }
        Thread.sleep(forTimeInterval: 0.05)
        let destination = test.dataDirectory + "/backup.db"
        try backupDatabase(configuration: test.app.configuration, to: destination)
        stop.value = true

        let attributes = try FileManager.default.attributesOfItem(atPath: destination)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let copy = try SQLiteDatabase(path: destination)
        let integrity = try copy.read { try $0.query("PRAGMA integrity_check") }
        #expect(try integrity.first?.string("integrity_check") == "ok")
        copy.close()

        var restored = test.app.configuration
        restored.database = .sqlite(path: destination)
        let app = try buildApplication(configuration: restored, logger: Logger(sink: MemoryLogSink()))
        defer {
            app.workPool.stop()
            app.database.close()
        }
        var seen: Set<String> = []
        var cursor: String?
        repeat {
            let page = try TestClient(responder: app.responder)
                .execute("GET", "/passwords?limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""), headers: ["Authorization": "Bearer \(token)"])
                .decode(ItemPage.self)
            seen.formUnion(page.items.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil
        #expect(Set(before).isSubset(of: seen))
    }

    @Test func postgresIsPointedToItsOwnTools() throws {
        var configuration = try Configuration.fromEnvironment(["KEYHAVEN_DATABASE_URL": "postgres://u@127.0.0.1:1/x"])
        configuration.tlsEnabled = false
        #expect(throws: Configuration.Error.self) { try backupDatabase(configuration: configuration, to: "/tmp/nope.db") }
    }
}
