import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct ExportTests {
    struct Sealed: Decodable {
        struct KDF: Decodable {
            var algorithm: String
            var salt: String
            var iterations: UInt32
            var memoryKib: UInt32
            var parallelism: UInt32
        }
        var format: String
        var kdf: KDF
        var ciphertext: String
    }

    func decrypt(_ sealed: Sealed, password: String) throws -> ExportController.Document {
        let key = try SymmetricKey(
            bytes: try Argon2id.deriveKey(
                from: Array(password.utf8), salt: try #require(Base64URL.decode(sealed.kdf.salt)),
                parameters: .init(iterations: sealed.kdf.iterations, memoryKiB: sealed.kdf.memoryKib, parallelism: sealed.kdf.parallelism)))
        let plain = try AES256GCM.open(
            try AES256GCM.SealedBox(combined: try #require(Base64URL.decode(sealed.ciphertext))), using: key,
            authenticating: Array("keyhaven-export-v1".utf8))
        return try JSONCoding.decoder.decode(ExportController.Document.self, from: Data(plain))
    }

    @Test(arguments: TestDatabase.backends)
    func encryptedExportOpensWithTheExportPasswordOnly(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let token = try test.signedIn("ada@example.com").accessToken
        let item = try test.createItem(
            token, ["title": "Bank", "website": "bank.example", "username": "ada", "password": "=cmd|calc \"quoted\"", "notes": "n"])
        let e2e = try test.request(
            "POST", "/vaults", token: token, json: ["name": "E2E", "encryption": "client", "wrapped_key": TestApplication.envelope()]
        ).decode(VaultBody.self)
        let envelope = TestApplication.envelope()
        _ = try test.createItem(token, ["title": envelope, "password": envelope, "vault_id": e2e.id])

        #expect(try test.request("POST", "/export", token: token, json: ["password": TestApplication.password, "format": "keyhaven"]).status == 422)
        #expect(
            try test.request(
                "POST", "/export", token: token,
                json: ["password": "wrong password!", "format": "keyhaven", "export_password": "export passphrase 2026"]
            ).status == 403)
        let response = try test.request(
            "POST", "/export", token: token,
            json: ["password": TestApplication.password, "format": "keyhaven", "export_password": "export passphrase 2026"])
        #expect(response.status == 200)
        #expect(!response.bodyText.contains("Bank") && !response.bodyText.contains("=cmd"))
        let sealed = try response.decode(Sealed.self)
        #expect(sealed.kdf.algorithm == "argon2id" && sealed.kdf.iterations == 3 && sealed.kdf.memoryKib == 65_536 && sealed.kdf.parallelism == 4)
        let document = try decrypt(sealed, password: "export passphrase 2026")
        let personal = try #require(document.vaults.first { $0.encryption == "server" })
        #expect(personal.items.map(\.password) == [item.password])
        let endToEnd = try #require(document.vaults.first { $0.id == e2e.id })
        #expect(endToEnd.wrappedKey == e2e.wrappedKey && endToEnd.items.map(\.title) == [envelope])
        #expect(throws: CryptoError.authenticationFailed) { try decrypt(sealed, password: "export passphrase 2027") }
        var tampered = sealed
        var bytes = try #require(Base64URL.decode(sealed.ciphertext))
        bytes[20] ^= 1
        tampered.ciphertext = Base64URL.encode(bytes)
        #expect(throws: CryptoError.authenticationFailed) { try decrypt(tampered, password: "export passphrase 2026") }
        #expect(try auditKinds(test, "ada@example.com").contains(.exportMade))
        #expect(test.app.outbox.deliverDue() >= 1)
        #expect(test.mailer.messages.contains { $0.subject == "Keyhaven: Your vault was exported" })
    }

    @Test func plaintextFormatsNeedConfirmationAndRoundTripValues() throws {
        let test = try TestApplication()
        let token = try test.signedIn("ada@example.com").accessToken
        _ = try test.createItem(token, ["title": "Quote \"me\", please", "password": "=1+1", "notes": "line1\nline2"])
        #expect(try test.request("POST", "/export", token: token, json: ["password": TestApplication.password, "format": "csv"]).status == 422)
        let csv = test.client.execute(
            "POST", "/export", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(#"{"password":"correct horse battery staple","format":"csv","confirm_plaintext":true}"#.utf8))
        #expect(csv.status == 200)
        #expect(csv.headers["Content-Type"] == "text/csv; charset=utf-8")
        #expect(
            csv.bodyText
                == "vault,name,url,username,password,notes\r\n\"Personal\",\"Quote \"\"me\"\", please\",\"\",\"\",\"=1+1\",\"line1\nline2\"\r\n")
        let json = test.client.execute(
            "POST", "/export", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(#"{"password":"correct horse battery staple","format":"json","confirm_plaintext":true}"#.utf8))
        #expect(try json.decode(ExportController.Document.self).vaults[0].items[0].password == "=1+1")
    }

    @Test func twoFactorAccountsNeedACode() throws {
        let test = try TestApplication()
        let (tokens, secret, _) = try test.enrolTOTP("ada@example.com")
        let body = ["password": TestApplication.password, "format": "json", "confirm_plaintext": "true"]
        // confirm_plaintext must be a boolean: send JSON by hand.
        func export(code: String?) -> Response {
            let codePart = code.map { #","code":"\#($0)""# } ?? ""
            return test.client.execute(
                "POST", "/export", headers: ["Authorization": "Bearer \(tokens.accessToken)", "Content-Type": "application/json"],
                body: Array(#"{"password":"\#(body["password"]!)","format":"json","confirm_plaintext":true\#(codePart)}"#.utf8))
        }
        #expect(export(code: nil).status == 403)
        #expect(export(code: "000000").status == 403)
        #expect(export(code: try independentTOTP(secret: secret, offset: 1)).status == 200)
    }
}
