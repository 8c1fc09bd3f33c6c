import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct ImportTests {
    struct Result: Decodable {
        struct Skipped: Decodable {
            var row: Int
            var reason: String
        }
        var imported: Int
        var skipped: [Skipped]
    }

    func importJSON(_ test: TestApplication, _ token: String, _ body: String) -> Response {
        test.client.execute(
            "POST", "/import", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: Array(body.utf8))
    }

    func csvBody(_ csv: String, extra: String = "") throws -> String {
        let data = String(decoding: try JSONSerialization.data(withJSONObject: [csv], options: [.fragmentsAllowed]), as: UTF8.self).dropFirst()
            .dropLast()
        return #"{"format":"csv","data":\#(data)\#(extra)}"#
    }

    func allItems(_ test: TestApplication, _ token: String) throws -> [ItemBody] {
        try test.request("GET", "/passwords?limit=200", token: token).decode(ItemPage.self).items
    }

    /// Export, delete everything, import: every item comes back byte for byte.
    @Test(arguments: TestDatabase.backends)
    func encryptedExportRoundTrips(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let originals = [
            ["title": "Bank", "website": "https://bank.example", "username": "ada", "password": "p\"a,s\ns ✓", "notes": "multi\nline"],
            ["title": "Mail", "password": "=1+1"],
        ]
        for fields in originals { _ = try test.createItem(token, fields) }
        let exported = try test.request(
            "POST", "/export", token: token,
            json: ["password": TestApplication.password, "format": "keyhaven", "export_password": "export passphrase 2026"])
        #expect(exported.status == 200)
        let before = try allItems(test, token)
        for item in before { _ = try test.request("DELETE", "/passwords/\(item.id)", token: token) }
        #expect(try allItems(test, token).isEmpty)

        let body = #"{"format":"keyhaven","export_password":"export passphrase 2026","data":\#(exported.bodyText)}"#
        #expect(
            importJSON(test, token, body.replacingOccurrences(of: "export passphrase 2026\",\"data", with: "wrong passphrase 2026\",\"data")).status
                == 422)
        // A tampered file is refused, and nothing is imported.
        let ciphertext = try #require(exported.bodyText.firstMatch(of: /"ciphertext":"([A-Za-z0-9_-]+)"/)).1
        let flipped = String(ciphertext.prefix(30)) + (ciphertext.dropFirst(30).first == "A" ? "B" : "A") + String(ciphertext.dropFirst(31))
        let tampered = importJSON(test, token, body.replacingOccurrences(of: String(ciphertext), with: flipped))
        #expect(tampered.status == 422)
        #expect(try allItems(test, token).isEmpty)
        let imported = importJSON(test, token, body)
        #expect(imported.status == 200)
        #expect(try imported.decode(Result.self).imported == 2)
        let after = try allItems(test, token)
        func fields(_ item: ItemBody) -> [String?] { [item.title, item.website, item.username, item.password, item.notes] }
        #expect(Set(after.map(fields)) == Set(before.map(fields)))
        #expect(try auditKinds(test, "ada@example.com").contains(.importMade))
    }

    @Test func atomicByDefaultWithEveryBadRowNamed() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let csv =
            "name,url,username,password,note\r\nGood,https://a.example,ada,pw1,\r\n,https://b.example,bob,,\r\nAlso good,,carol,pw3,n\r\nNo password,https://d.example,dan,,\r\n"
        let refused = importJSON(test, token, try csvBody(csv))
        #expect(refused.status == 422)
        #expect(refused.bodyText.contains("rows[2].password") && refused.bodyText.contains("rows[4].password"))
        #expect(!refused.bodyText.contains("rows[1]") && !refused.bodyText.contains("rows[3]"))
        #expect(try allItems(test, token).isEmpty)  // nothing imported

        let partial = importJSON(test, token, try csvBody(csv, extra: #","skip_invalid":true"#))
        #expect(partial.status == 200)
        let result = try partial.decode(Result.self)
        #expect(result.imported == 2 && result.skipped.map(\.row) == [2, 4])
        // Duplicates are skipped on request.
        let again = try importJSON(test, token, try csvBody(csv, extra: #","skip_invalid":true,"skip_duplicates":true"#)).decode(Result.self)
        #expect(again.imported == 0 && again.skipped.count == 4)
        #expect(importJSON(test, token, try csvBody("name,url\r\n\"unterminated,x\r\n")).status == 422)
    }

    /// Each layout as the tool writes it (header rows as documented by each tool).
    @Test(arguments: [
        (
            "bitwarden",
            "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\r\nWork,,login,Jira,n1,\"pin: 1234\",0,https://jira.example,ada,pw-bw,otpauth://totp/x?secret=ABC\r\n"
        ),
        ("chrome", "name,url,username,password,note\r\njira.example,https://jira.example/,ada,pw-chrome,n1\r\n"),
        (
            "firefox",
            "\"url\",\"username\",\"password\",\"httpRealm\",\"formActionOrigin\",\"guid\",\"timeCreated\",\"timeLastUsed\",\"timePasswordChanged\"\r\n\"https://jira.example\",\"ada\",\"pw-firefox\",,\"https://jira.example\",\"{x}\",\"1700000000000\",\"1700000000000\",\"1700000000000\"\r\n"
        ),
        (
            "1password8",
            "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\r\nJira,https://jira.example,ada,pw-1p,otpauth://totp/x?secret=ABC,false,false,work,n1\r\n"
        ),
        (
            "keepassxc",
            "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\r\n\"Root/Work\",\"Jira\",\"ada\",\"pw-kp\",\"https://jira.example\",\"n1\",\"otpauth://totp/x?secret=ABC\",\"0\",\"2024-01-01T00:00:00Z\",\"2024-01-01T00:00:00Z\"\r\n"
        ),
    ])
    func csvLayouts(tool: String, csv: String) throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let response = importJSON(test, token, try csvBody(csv))
        #expect(response.status == 200, "\(tool): \(response.bodyText)")
        let item = try #require(try allItems(test, token).first)
        #expect(item.username == "ada")
        #expect(item.password.hasPrefix("pw-"))
        #expect(item.website?.hasPrefix("https://jira.example") == true)
        #expect(item.title.contains("jira") || item.title == "Jira")
        if tool != "chrome" && tool != "firefox" {
            // TOTP seeds, folders, groups, tags and custom fields are kept in the notes.
            #expect(item.notes?.contains("otpauth://") == true || item.notes?.contains("pin: 1234") == true, "\(tool): \(item.notes ?? "")")
        }
    }

    @Test func bitwardenJSON() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let export = #"""
            {"encrypted":false,"folders":[{"id":"f1","name":"Work"}],"items":[
             {"type":1,"name":"Jira","notes":"n1","folderId":"f1","fields":[{"name":"pin","value":"1234","type":0}],
              "login":{"username":"ada","password":"pw-bw","totp":"ABC","uris":[{"uri":"https://jira.example"},{"uri":"https://jira2.example"}]}},
             {"type":2,"name":"Secure note","notes":"no password here","secureNote":{"type":0}}]}
            """#
        let refused = importJSON(test, token, #"{"format":"bitwarden","data":\#(export)}"#)
        #expect(refused.status == 422)
        #expect(refused.bodyText.contains("rows[2].password"))
        let result = try importJSON(test, token, #"{"format":"bitwarden","skip_invalid":true,"data":\#(export)}"#).decode(Result.self)
        #expect(result.imported == 1)
        let item = try #require(try allItems(test, token).first)
        #expect(item.title == "Jira" && item.password == "pw-bw" && item.website == "https://jira.example")
        for kept in ["n1", "url: https://jira2.example", "totp: ABC", "pin: 1234", "folder: Work"] {
            #expect(item.notes?.contains(kept) == true, "\(kept)")
        }
    }

    /// A 10 MB import goes through the real server (the /import body limit is 16 MiB; others stay at 1 MiB).
    @Test func tenMegabyteImportOverTheWire() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let server = try test.app.startServer(port: 0)
        defer { server.shutdown() }
        var csv = "name,url,username,password,note\r\n"
        var row = 0
        let filler = String(repeating: "x", count: 9_000)
        while csv.utf8.count < 10_000_000 {
            row += 1
            csv += "Item \(row),https://site\(row).example,user\(row),pw\(row),\(filler)\r\n"
        }
        let body = Array(try csvBody(csv).utf8)
        #expect(body.count > 10_000_000)
        let headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        let response = try SocketHTTPClient.request(port: server.port, method: "POST", path: "/import", headers: headers, body: body)
        #expect(response.status == 200)
        #expect(try response.decode(Result.self).imported == row)
        let tooLarge = try SocketHTTPClient.request(port: server.port, method: "POST", path: "/passwords", headers: headers, body: body)
        #expect(tooLarge.status == 413)
    }

    /// The same import as a browser form upload (multipart/form-data with a file part).
    @Test func multipartUpload() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        let boundary = "----keyhaven-test-boundary"
        let csv = "name,url,username,password,note\r\nJira,https://jira.example,ada,pw-form,n1\r\n"
        func form(_ parts: [(String, String, String?)]) -> [UInt8] {
            var text = ""
            for (name, value, filename) in parts {
                text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"" + (filename.map { "; filename=\"\($0)\"" } ?? "") + "\r\n"
                if filename != nil { text += "Content-Type: text/csv\r\n" }
                text += "\r\n\(value)\r\n"
            }
            return Array((text + "--\(boundary)--\r\n").utf8)
        }
        let headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Content-Type": "multipart/form-data; boundary=\(boundary)"]
        let response = test.client.execute("POST", "/import", headers: headers, body: form([("format", "csv", nil), ("file", csv, "export.csv")]))
        #expect(response.status == 200)
        #expect(try response.decode(Result.self).imported == 1)
        #expect(try allItems(test, token).first?.password == "pw-form")
        #expect(test.client.execute("POST", "/import", headers: headers, body: form([("format", "csv", nil)])).status == 422)
        #expect(test.client.execute("POST", "/import", headers: headers, body: form([("format", "csv", nil), ("admin", "true", nil)])).status == 422)
        #expect(test.client.execute("POST", "/import", headers: headers, body: Array("garbage".utf8)).status == 400)
    }
}
