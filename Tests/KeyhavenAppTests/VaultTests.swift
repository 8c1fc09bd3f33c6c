import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct ItemCRUDTests {
    @Test(arguments: TestDatabase.backends)
    func createReadReplaceDelete(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let created = try test.request(
            "POST", "/passwords", token: token,
            json: [
                "title": "GitHub", "website": "https://github.com/login", "username": "ada", "password": "gh-pass \"quoted\"\n", "notes": "2FA on",
            ])
        #expect(created.status == 201)
        let item = try created.decode(ItemBody.self)
        #expect(created.headers["Location"] == "/passwords/\(item.id)")
        #expect(created.headers["ETag"] == "\"1\"")
        #expect(item.version == 1)
        #expect(item.password == "gh-pass \"quoted\"\n")
        let vaults = try test.request("GET", "/vaults", token: token).decode(VaultPage.self).items
        #expect(vaults.count == 1 && vaults[0].isDefault && vaults[0].id == item.vaultId && vaults[0].encryption == "server")

        let read = try test.request("GET", "/passwords/\(item.id)", token: token)
        #expect(read.status == 200)
        #expect(try read.decode(ItemBody.self) == item)
        #expect(read.headers["ETag"] == "\"1\"")
        #expect(read.headers["Cache-Control"] == "no-store")

        let replaced = try test.request(
            "PUT", "/passwords/\(item.id)", token: token, json: ["title": "GitHub (work)", "password": "new-pass"], headers: ["If-Match": "\"1\""])
        #expect(replaced.status == 200)
        let updated = try replaced.decode(ItemBody.self)
        #expect(updated.version == 2)
        #expect(updated.website == nil)  // full replacement
        #expect(replaced.headers["ETag"] == "\"2\"")
        // A stale If-Match is refused; * and the current tag pass.
        #expect(
            try test.request("PUT", "/passwords/\(item.id)", token: token, json: ["title": "x", "password": "y"], headers: ["If-Match": "\"1\""])
                .status == 412)
        #expect(
            try test.request("PUT", "/passwords/\(item.id)", token: token, json: ["title": "x", "password": "y"], headers: ["If-Match": "*"]).status
                == 200)
        #expect(try test.request("DELETE", "/passwords/\(item.id)", token: token, headers: ["If-Match": "\"2\""]).status == 412)
        #expect(try test.request("DELETE", "/passwords/\(item.id)", token: token).status == 204)
        #expect(try test.request("GET", "/passwords/\(item.id)", token: token).status == 404)
        #expect(try test.request("DELETE", "/passwords/\(item.id)", token: token).status == 404)
        let kinds = try auditKinds(test, "ada@example.com")
        #expect(kinds.contains(.itemCreated) && kinds.contains(.itemUpdated) && kinds.contains(.itemDeleted))
    }

    @Test(arguments: [
        (["password": "p"], "title"),
        (["title": "", "password": "p"], "title"),
        (["title": "t"], "password"),
        (["title": "t", "password": ""], "password"),
        (["title": String(repeating: "t", count: 201), "password": "p"], "title"),
        (["title": "t", "password": String(repeating: "p", count: 4097)], "password"),
        (["title": "t", "password": "p", "username": String(repeating: "u", count: 513)], "username"),
        (["title": "t", "password": "p", "website": "not a url"], "website"),
        (["title": "t", "password": "p", "notes": String(repeating: "n", count: 10_001)], "notes"),
        (["title": "t", "password": "p", "vault_id": "nope"], "vault_id"),
        (["title": "t", "password": "p", "favourite": "yes"], "favourite"),
    ])
    func invalidItemsAre422(fields: [String: String], field: String) throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let response = try test.request("POST", "/passwords", token: token, json: fields)
        #expect(response.status == 422)
        #expect(response.bodyText.contains("\"field\":\"\(field)\""))
    }

    @Test func malformedAndMistypedBodies() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let auth: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        #expect(test.client.execute("POST", "/passwords", headers: auth, body: Array("{\"title\":".utf8)).status == 400)
        #expect(test.client.execute("POST", "/passwords", headers: auth, body: Array(#"{"title":5,"password":"p"}"#.utf8)).status == 422)
        #expect(
            test.client.execute(
                "POST", "/passwords", headers: ["Authorization": "Bearer \(token)", "Content-Type": "text/csv"], body: Array("a,b".utf8)
            ).status == 415)
        #expect(test.client.execute("POST", "/passwords", body: Array(#"{"title":"t","password":"p"}"#.utf8)).status == 401)
    }

    /// Every verb on another user's item or vault answers exactly like a missing one.
    @Test(arguments: TestDatabase.backends)
    func anotherUsersDataIsNotFound(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let ada = try test.signedIn("ada@example.com").accessToken
        let eve = try test.signedIn("eve@example.com").accessToken
        let item = try test.createItem(ada, ["title": "bank", "password": "ada's bank password"])
        let missing = "00000000-0000-0000-0000-000000000000"
        func comparable(_ response: Response) throws -> [String] {
            let problem = try response.decode(ProblemBody.self)
            return ["\(response.status)", problem.code]
        }
        for (method, json) in [("GET", nil), ("PUT", ["title": "pwned", "password": "x"]), ("DELETE", nil)] as [(String, [String: String]?)] {
            let theirs = try test.request(method, "/passwords/\(item.id)", token: eve, json: json)
            let none = try test.request(method, "/passwords/\(missing)", token: eve, json: json)
            #expect(theirs.status == 404)
            #expect(try comparable(theirs) == comparable(none))
            #expect(!theirs.bodyText.contains("bank"))
        }
        let adaVault = item.vaultId
        #expect(try test.request("PUT", "/vaults/\(adaVault)", token: eve, json: ["name": "mine now"]).status == 404)
        #expect(try test.request("DELETE", "/vaults/\(adaVault)", token: eve).status == 404)
        #expect(try test.request("GET", "/passwords?vault_id=\(adaVault)", token: eve).status == 404)
        #expect(try test.request("POST", "/passwords", token: eve, json: ["title": "t", "password": "p", "vault_id": adaVault]).status == 422)
        #expect(try test.request("GET", "/passwords", token: eve).decode(ItemPage.self).items.isEmpty)
        // Ada's item is untouched.
        #expect(try test.request("GET", "/passwords/\(item.id)", token: ada).decode(ItemBody.self) == item)
        // A cursor from Ada's list is refused for Eve.
        for index in 0..<3 { _ = try test.createItem(ada, ["title": "t\(index)", "password": "p"]) }
        let cursor = try #require(try test.request("GET", "/passwords?limit=1", token: ada).decode(ItemPage.self).nextCursor)
        #expect(try test.request("GET", "/passwords?limit=1&cursor=\(cursor)", token: eve).status == 400)
    }

    @Test(arguments: TestDatabase.backends)
    func thousandItemsPageExactlyOnce(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        var created: Set<String> = []
        for index in 0..<1000 { created.insert(try test.createItem(token, ["title": "item \(index)", "password": "password \(index)"]).id) }
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try test.request("GET", "/passwords?limit=70" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token).decode(ItemPage.self)
            #expect(page.items.count <= 70)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(seen.count == 1000)
        #expect(Set(seen) == created)
        #expect(pages == 15)
        #expect(try test.request("GET", "/passwords?limit=500", token: token).decode(ItemPage.self).items.count == 200)
        #expect(try test.request("GET", "/passwords", token: token).decode(ItemPage.self).items.count == 50)
        #expect(try test.request("GET", "/passwords?limit=-1", token: token).status == 400)
        #expect(try test.request("GET", "/passwords?cursor=garbage", token: token).status == 400)
    }

    @Test func searchLooksAtTitleAndWebsite() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let bank = try test.createItem(token, ["title": "My Bank", "password": "p1"])
        let mail = try test.createItem(token, ["title": "Mail", "website": "mail.example.org", "password": "p2"])
        _ = try test.createItem(token, ["title": "Other", "username": "bank-user", "password": "p3"])
        #expect(try test.request("GET", "/passwords?q=BANK", token: token).decode(ItemPage.self).items.map(\.id) == [bank.id])
        #expect(try test.request("GET", "/passwords?q=example.org", token: token).decode(ItemPage.self).items.map(\.id) == [mail.id])
        #expect(try test.request("GET", "/passwords?q=zzz", token: token).decode(ItemPage.self).items.isEmpty)
    }
}

struct VaultManagementTests {
    @Test(arguments: TestDatabase.backends)
    func vaultsAndTheirItems(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let defaultVault = try test.request("GET", "/vaults", token: token).decode(VaultPage.self).items[0]
        #expect(try test.request("DELETE", "/vaults/\(defaultVault.id)", token: token).status == 409)  // the only vault
        let work = try test.request("POST", "/vaults", token: token, json: ["name": "Work"])
        #expect(work.status == 201)
        let workVault = try work.decode(VaultBody.self)
        #expect(work.headers["Location"] == "/vaults/\(workVault.id)")
        #expect(!workVault.isDefault)
        let item = try test.createItem(token, ["title": "VPN", "password": "vpn-pass", "vault_id": workVault.id])
        #expect(item.vaultId == workVault.id)
        #expect(try test.request("GET", "/passwords?vault_id=\(workVault.id)", token: token).decode(ItemPage.self).items.map(\.id) == [item.id])
        #expect(try test.request("GET", "/passwords?vault_id=\(defaultVault.id)", token: token).decode(ItemPage.self).items.isEmpty)
        let renamed = try test.request("PUT", "/vaults/\(workVault.id)", token: token, json: ["name": "Office"])
        #expect(try renamed.decode(VaultBody.self).name == "Office")
        let notEmpty = try test.request("DELETE", "/vaults/\(workVault.id)", token: token)
        #expect(notEmpty.status == 409)
        #expect(try notEmpty.decode(ProblemBody.self).code == "vault_not_empty")
        #expect(try test.request("DELETE", "/passwords/\(item.id)", token: token).status == 204)
        // Deleting the default vault hands the default to the remaining one.
        #expect(try test.request("DELETE", "/vaults/\(defaultVault.id)", token: token).status == 204)
        let remaining = try test.request("GET", "/vaults", token: token).decode(VaultPage.self).items
        #expect(remaining.map(\.id) == [workVault.id])
        #expect(remaining[0].isDefault)
        #expect(try test.createItem(token, ["title": "t", "password": "p"]).vaultId == workVault.id)
        #expect(try test.request("POST", "/vaults", token: token, json: ["name": "", "encryption": "server"]).status == 422)
        #expect(try test.request("POST", "/vaults", token: token, json: ["name": "x", "encryption": "quantum"]).status == 422)
    }
}

struct EndToEndVaultTests {
    @Test(arguments: TestDatabase.backends)
    func envelopesAreValidatedStoredAndReturnedUnchanged(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        // An end-to-end vault needs its wrapped key.
        #expect(try test.request("POST", "/vaults", token: token, json: ["name": "E2E", "encryption": "client"]).status == 422)
        #expect(
            try test.request("POST", "/vaults", token: token, json: ["name": "E2E", "encryption": "client", "wrapped_key": "plain"]).status == 422)
        let wrappedKey = TestApplication.envelope()
        let vault = try test.request("POST", "/vaults", token: token, json: ["name": "E2E", "encryption": "client", "wrapped_key": wrappedKey])
            .decode(VaultBody.self)
        #expect(vault.encryption == "client")
        #expect(vault.wrappedKey == wrappedKey)

        let fields = [
            "title": TestApplication.envelope(10), "password": TestApplication.envelope(20), "notes": TestApplication.envelope(500),
            "vault_id": vault.id,
        ]
        let item = try test.createItem(token, fields)
        #expect(item.title == fields["title"] && item.password == fields["password"] && item.notes == fields["notes"])
        #expect(try test.request("GET", "/passwords/\(item.id)", token: token).decode(ItemBody.self) == item)

        let bad: [[String: String]] = [
            ["title": "plaintext title", "password": TestApplication.envelope(), "vault_id": vault.id],
            ["title": TestApplication.envelope(), "password": "kh1.short.x", "vault_id": vault.id],
            ["title": TestApplication.envelope(), "password": "kh2." + TestApplication.envelope().dropFirst(4), "vault_id": vault.id],
            ["title": TestApplication.envelope(), "password": TestApplication.envelope(4 * 4096), "vault_id": vault.id],
        ]
        for fields in bad { #expect(try test.request("POST", "/passwords", token: token, json: fields).status == 422) }
        // Items cannot move between server and client vaults (the server cannot re-encrypt).
        let defaultVault = try test.request("GET", "/vaults", token: token).decode(VaultPage.self).items.first { $0.isDefault }!
        #expect(
            try test.request("PUT", "/passwords/\(item.id)", token: token, json: ["title": "t", "password": "p", "vault_id": defaultVault.id]).status
                == 422)
        // Health skips them; search never matches them.
        struct Health: Decodable {
            var checkedItems: Int
            var skippedEndToEndItems: Int
        }
        let health = try test.request("GET", "/passwords/health", token: token).decode(Health.self)
        #expect(health.skippedEndToEndItems == 1 && health.checkedItems == 0)
    }

    @Test(arguments: TestDatabase.backends)
    func preloginIsStableAndDoesNotRevealAccounts(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        _ = try test.signup("ada@example.com")
        struct Prelogin: Decodable, Equatable {
            var kdf: String
            var salt: String
            var iterations: Int
            var memoryKib: Int
            var parallelism: Int
        }
        func prelogin(_ email: String) throws -> Prelogin {
            let response = test.client.execute("GET", "/auth/prelogin?email=\(email)")
            #expect(response.status == 200)
            return try response.decode(Prelogin.self)
        }
        let real = try prelogin("ada@example.com")
        let fake = try prelogin("nobody@example.com")
        #expect(real.kdf == "argon2id" && real.iterations == 3 && real.memoryKib == 65_536 && real.parallelism == 4)
        #expect(try prelogin("ADA@example.com") == real)
        #expect(try prelogin("nobody@example.com") == fake)
        #expect(fake.salt != real.salt)
        #expect(Base64URL.decode(fake.salt)?.count == 16 && Base64URL.decode(real.salt)?.count == 16)
        #expect(fake.iterations == real.iterations && fake.memoryKib == real.memoryKib && fake.parallelism == real.parallelism)
        #expect(test.client.execute("GET", "/auth/prelogin").status == 422)
    }
}

struct HealthReportTests {
    @Test(arguments: TestDatabase.backends)
    func weakAndReusedPasswordsAreReportedByIDOnly(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let short = try test.createItem(token, ["title": "a", "password": "Xy7!short"])
        let common = try test.createItem(token, ["title": "b", "password": "iloveyou1234"])
        let run = try test.createItem(token, ["title": "c", "password": "abcdefghijklmnop"])
        let strongA = try test.createItem(token, ["title": "d", "password": "vK9#qL2@wP7$zR4!"])
        let strongB = try test.createItem(token, ["title": "e", "password": "vK9#qL2@wP7$zR4!"])
        _ = try test.createItem(token, ["title": "f", "password": "a different long passphrase 42"])
        let response = try test.request("GET", "/passwords/health", token: token)
        #expect(response.status == 200)
        struct Report: Decodable {
            struct Weak: Decodable {
                var id: String
                var reasons: [String]
            }
            struct Reused: Decodable { var itemIds: [String] }
            var checkedItems: Int
            var weak: [Weak]
            var reused: [Reused]
        }
        let report = try response.decode(Report.self)
        #expect(report.checkedItems == 6)
        let weak = Dictionary(uniqueKeysWithValues: report.weak.map { ($0.id, Set($0.reasons)) })
        #expect(weak[short.id]?.contains("too_short") == true)
        #expect(weak[common.id]?.contains("common") == true)
        #expect(weak[run.id]?.contains("low_strength") == true)
        #expect(weak[strongA.id] == nil && weak.count == 3)
        #expect(report.reused.map { Set($0.itemIds) } == [Set([strongA.id, strongB.id])])
        for secret in ["Xy7!short", "iloveyou1234", "vK9#qL2@wP7$zR4!"] { #expect(!response.bodyText.contains(secret)) }
    }
}

struct DataAtRestTests {
    static let markers = ["MARKER-title-7f3a", "MARKER-user-91bc", "MARKER-pass-4d2e", "MARKER-notes-c0de", "marker-site-5a5a.example"]

    func writeMarkers(_ test: TestApplication) throws -> (String, ItemBody) {
        let token = try test.signedIn("ada@example.com").accessToken
        let item = try test.createItem(
            token,
            [
                "title": Self.markers[0], "username": Self.markers[1], "password": Self.markers[2], "notes": Self.markers[3],
                "website": Self.markers[4],
            ])
        _ = try test.request("POST", "/vaults", token: token, json: ["name": "MARKER-vault-name"])
        return (token, item)
    }

    /// The SQLite files (database, WAL, shared memory) hold none of the plaintexts.
    @Test func sqliteFilesHoldNoPlaintext() throws {
        let test = try TestApplication(.sqlite)
        _ = try writeMarkers(test)
        guard case .sqlite(let path) = test.app.configuration.database else { Issue.record("not SQLite"); return }
        var searched = 0
        for suffix in ["", "-wal", "-shm"] {
            guard let data = FileManager.default.contents(atPath: path + suffix) else { continue }
            searched += data.count
            for marker in Self.markers + ["MARKER-vault-name"] {
                #expect(data.range(of: Data(marker.utf8)) == nil, "\(marker) found in \(path + suffix)")
            }
        }
        #expect(searched > 0)
    }

    /// A pg_dump of the test schema holds none of the plaintexts.
    @Test(.enabled(if: TestDatabase.backends.contains(.postgres)))
    func postgresDumpHoldsNoPlaintext() throws {
        let test = try TestApplication(.postgres)
        _ = try writeMarkers(test)
        guard case .postgres(let url) = test.app.configuration.database, let schema = url.components(separatedBy: "search_path%3D").last else {
            Issue.record("no schema")
            return
        }
        let base = url.components(separatedBy: "?").first!
        let pgDump = try #require(["/usr/bin/pg_dump"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let dump = try runProcess(pgDump, ["--dbname=\(base)", "--schema=\(schema)", "--data-only"])
        #expect(dump.status == 0)
        #expect(dump.output.contains("COPY \(schema).items"))
        for marker in Self.markers + ["MARKER-vault-name"] { #expect(!dump.output.contains(marker)) }
    }

    /// A ciphertext copied to another item (of the same or another user) does not decrypt there.
    @Test(arguments: TestDatabase.backends)
    func copiedCiphertextDoesNotDecrypt(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let (adaToken, secret) = try writeMarkers(test)
        let adaOther = try test.createItem(adaToken, ["title": "other", "password": "other"])
        let eveToken = try test.signedIn("eve@example.com").accessToken
        let eveItem = try test.createItem(eveToken, ["title": "eve", "password": "eve"])
        for target in [adaOther.id, eveItem.id] {
            try test.app.database.write { connection in
                try connection.execute(
                    "UPDATE items SET sealed_payload = (SELECT sealed_payload FROM items WHERE id = $1) WHERE id = $2",
                    [.text(secret.id), .text(target)])
            }
        }
        for (token, id) in [(adaToken, adaOther.id), (eveToken, eveItem.id)] {
            let response = try test.request("GET", "/passwords/\(id)", token: token)
            #expect(response.status == 500)
            #expect(!response.bodyText.contains("MARKER"))
        }
        // And a version bump alone (same row) breaks it too: the AAD names the version.
        try test.app.database.write { try $0.execute("UPDATE items SET version = version + 1 WHERE id = $1", [.text(secret.id)]) }
        #expect(try test.request("GET", "/passwords/\(secret.id)", token: adaToken).status == 500)
    }

    @Test(arguments: TestDatabase.backends)
    func keyRotationKeepsEveryItemReadable(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        var tokens: [String] = []
        for user in 0..<5 {
            let token = try test.signedIn("user\(user)@example.com").accessToken
            for index in 0..<3 { _ = try test.createItem(token, ["title": "u\(user) i\(index)", "password": "secret \(user) \(index)"]) }
            tokens.append(token)
        }
        let before = test.app.keys.masterKeys.activeKeyID
        let report = try rotateMasterKey(configuration: test.app.configuration)
        #expect(report.newKeyID != before)
        #expect(report.rewrapped == 5)
        #expect(report.dataKeysByMasterKey == [report.newKeyID: 5])
        let ring = try KeyRing.load(from: test.app.configuration.masterKeyFile)
        #expect(ring.activeKeyID == report.newKeyID && ring.key(withID: before) != nil)
        // The running server (built before the rotation) still reads everything…
        for (user, token) in tokens.enumerated() {
            let items = try test.request("GET", "/passwords", token: token).decode(ItemPage.self).items
            #expect(items.count == 3)
            #expect(items.allSatisfy { $0.password.hasPrefix("secret \(user) ") })
        }
        // …and so does a server started afterwards; running the command again is harmless.
        _ = try rotateMasterKey(configuration: test.app.configuration)
        let restarted = try buildApplication(configuration: test.app.configuration, logger: Logger(sink: MemoryLogSink()))
        defer {
            restarted.workPool.stop()
            restarted.database.close()
        }
        let client = TestClient(responder: restarted.responder)
        for token in tokens {
            #expect(try client.execute("GET", "/passwords", headers: ["Authorization": "Bearer \(token)"]).decode(ItemPage.self).items.count == 3)
        }
    }

    @Test(arguments: TestDatabase.backends)
    func accountDeletionRemovesItemsVaultsAndKeys(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let (token, _) = try writeMarkers(test)
        let userID = try SQLUserRepository(database: test.app.database).find(emailKey: "ada@example.com")!.id
        #expect(try test.request("DELETE", "/auth/me", token: token, json: ["password": TestApplication.password]).status == 204)
        for table in ["items", "vaults", "user_keys", "two_factor"] {
            let count = try test.app.database.read {
                try $0.query("SELECT COUNT(*) AS c FROM \(table) WHERE user_id = $1", [.text(userID.rawValue)])
            }[0].integer("c")
            #expect(count == 0, "\(table)")
        }
    }
}
