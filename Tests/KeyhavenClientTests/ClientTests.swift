import Foundation
import KeyhavenApp
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenClient

/// The real server over HTTPS on a loopback port (its self-signed certificate trusted through
/// the client's CA file), with a throwaway database.
final class LiveServer: @unchecked Sendable {
    let app: Application
    let server: HTTPServer
    let dataDirectory: String
    let database: TestDatabase
    var url: String { "https://127.0.0.1:\(server.port)" }
    var caFile: String { dataDirectory + "/tls/cert.pem" }

    init(_ backend: DatabaseBackend) throws {
        database = try TestDatabase.make(backend, migrate: false)
        dataDirectory = TestDatabase.temporaryDirectory()
        let location: String
        switch database.location {
        case .sqlite(let path): location = "sqlite://\(path)"
        case .postgres(let url): location = url
        }
        let configuration = try Configuration.fromEnvironment([
            "KEYHAVEN_ENV": "test", "KEYHAVEN_DATA_DIR": dataDirectory, "KEYHAVEN_BCRYPT_COST": "4", "KEYHAVEN_DATABASE_URL": location,
            "KEYHAVEN_LISTEN": "127.0.0.1:0",
        ])
        app = try buildApplication(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        server = try app.startServer(port: 0)
    }

    deinit {
        server.shutdown(gracePeriod: .seconds(1))
        app.workPool.stop()
        app.database.close()
        database.drop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Every byte the database holds: the SQLite files, or every column of every table.
    func storedBytes() throws -> [UInt8] {
        switch database.location {
        case .sqlite(let path):
            return ["", "-wal", "-shm"].flatMap { Array(FileManager.default.contents(atPath: path + $0) ?? Data()) }
        case .postgres:
            var bytes: [UInt8] = []
            let tables = try app.database.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()", [])
            for table in tables {
                for row in try app.database.query("SELECT * FROM \(try table.string("table_name"))", []) {
                    for value in row.values.values {
                        switch value {
                        case .text(let text): bytes += Array(text.utf8)
                        case .blob(let blob): bytes += blob
                        case .integer(let number): bytes += Array(String(number).utf8)
                        case .null: break
                        }
                    }
                }
            }
            return bytes
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty, haystack.count >= pattern.count else { return false }
    return (0...(haystack.count - pattern.count)).contains { haystack[$0..<$0 + pattern.count].elementsEqual(pattern) }
}

func device() -> KeyhavenClient { KeyhavenClient(store: ClientStore(directory: TestDatabase.temporaryDirectory() + "/kh")) }

@Suite(.serialized)
struct EndToEndClientTests {
    static let password = "correct horse battery staple"

    @Test(arguments: TestDatabase.backends)
    func endToEndVaultsAcrossDevices(_ backend: DatabaseBackend) throws {
        let server = try LiveServer(backend)
        let first = device()
        try first.signup(server: server.url, email: "ada@example.com", password: Self.password, caFile: server.caFile)
        let login = try first.login(server: server.url, email: "ada@example.com", password: Self.password, caFile: server.caFile)
        let secretKey = try #require(login.newSecretKey)
        #expect(try first.secretKey() == secretKey)
        // The state files are private, and hold no master key or password.
        for name in ["session.json", "secret-keys.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: first.store.directory + "/" + name)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(
                !String(decoding: FileManager.default.contents(atPath: first.store.directory + "/" + name) ?? Data(), as: UTF8.self).contains(
                    Self.password))
        }

        let vault = try first.createVault(name: "Personal (e2e)", endToEnd: true, password: Self.password)
        let keys = try first.vaultKeys(password: Self.password)
        let plaintexts = [
            "title": "Mountain Bank Online", "website": "https://bank.example", "username": "ada.l", "password": "Qz8!velvet-Harbor-2291",
            "notes": "PIN is behind the painting",
        ]
        let added = try first.addItem(plaintexts, vault: vault, keys: keys)
        _ = try first.addItem(["title": "Glacier Mail", "password": "sunlit-Orchard-7734!"], vault: vault, keys: keys)
        #expect(added.fields == plaintexts)
        #expect(try first.items(vault: vault, keys: keys).count == 2)
        #expect(try first.items(search: "glacier", keys: keys).map { $0.fields["title"] } == ["Glacier Mail"])

        // The server stores none of it in the clear.
        let stored = try server.storedBytes()
        #expect(stored.count > 1_000)
        for value in plaintexts.values + ["Glacier Mail", "sunlit-Orchard-7734!"] {
            #expect(!contains(stored, value), "\(value) stored in the clear")
        }

        // A second device with the Secret Key reads everything.
        let second = device()
        _ = try second.login(
            server: server.url, email: "ada@example.com", password: Self.password, secretKey: secretKey.formatted, caFile: server.caFile)
        let secondKeys = try second.vaultKeys(password: Self.password)
        #expect(try second.item(added.id, keys: secondKeys).fields == plaintexts)
        // Without it, it cannot: login refuses to invent one, and a wrong one opens nothing.
        let third = device()
        #expect(throws: ClientError.secretKeyNeeded) {
            try third.login(server: server.url, email: "ada@example.com", password: Self.password, caFile: server.caFile)
        }
        let fourth = device()
        _ = try fourth.login(
            server: server.url, email: "ada@example.com", password: Self.password, secretKey: E2E.SecretKey.generate().formatted,
            caFile: server.caFile)
        #expect(throws: E2E.Failure.self) { try fourth.vaultKeys(password: Self.password) }
        // A wrong account password fails cleanly.
        #expect {
            try device().login(server: server.url, email: "ada@example.com", password: "not the password at all", caFile: server.caFile)
        } throws: { error in
            if case ClientError.server(401, _, _) = error { return true }
            return false
        }

        // kh unlock: the vault keys sealed under KH_SESSION, usable without the password.
        let session = try second.unlock(password: Self.password)
        #expect(try second.vaultKeys(session: session) == secondKeys)
        #expect(throws: (any Error).self) { try second.vaultKeys(session: Base64URL.encode(SymmetricKey.generate().bytes)) }

        // Tampering: a flipped ciphertext byte, and a field moved into another, are caught here.
        let raw = try #require(try second.call("GET", "/passwords/\(added.id)") as? [String: Any])
        var flipped = raw.filter { KeyhavenClient.fieldNames.contains($0.key) }
        let envelope = try #require(flipped["password"] as? String)
        // The second-to-last character carries six whole bits (the last may carry padding bits).
        let replacement = envelope.dropLast().last == "A" ? "B" : "A"
        flipped["password"] = String(envelope.dropLast(2)) + replacement + String(envelope.suffix(1))
        #expect(flipped["password"] as? String != envelope)
        flipped["vault_id"] = vault.id
        try second.call("PUT", "/passwords/\(added.id)", json: flipped)
        #expect(throws: E2E.Failure.self) { try second.item(added.id, keys: secondKeys) }
        var swapped = flipped
        swapped["password"] = raw["title"]
        try second.call("PUT", "/passwords/\(added.id)", json: swapped)
        #expect(throws: E2E.Failure.self) { try second.item(added.id, keys: secondKeys) }

        // A tampered item also stops a listing (it is not silently dropped); remove it.
        #expect(throws: E2E.Failure.self) { try second.items(keys: secondKeys) }
        try second.deleteItem(added.id)

        // Local health for end-to-end items: a short reused password is found on the client.
        _ = try second.addItem(["title": "a", "password": "short1"], vault: vault, keys: secondKeys)
        _ = try second.addItem(["title": "b", "password": "short1"], vault: vault, keys: secondKeys)
        let report = try second.health(keys: secondKeys)
        #expect(report.weak.count >= 2 && report.reused.contains { $0.count == 2 })
        // An expired or rejected access token is refreshed transparently, and the rotated
        // refresh token is kept.
        var stale = try #require(second.store.session)
        let oldRefresh = stale.refreshToken
        stale.accessToken = "not-a-valid-token"
        try second.store.save(stale)
        #expect(try second.vaults().count >= 2)
        let renewed = try #require(second.store.session)
        #expect(renewed.accessToken != "not-a-valid-token" && renewed.refreshToken != oldRefresh)
        try second.logout()
        #expect(second.store.session == nil)
    }

    @Test func generatorsUseTheWholeAlphabetAndLength() {
        let passwords = (0..<200).map { _ in PasswordGenerator.password(length: 24) }
        #expect(Set(passwords).count == 200 && passwords.allSatisfy { $0.count == 24 })
        let phrase = PasswordGenerator.passphrase(words: 6)
        #expect(phrase.split(separator: "-").count == 6)
        #expect(LocalHealth.weaknesses(of: phrase).isEmpty && LocalHealth.weaknesses(of: passwords[0]).isEmpty)
    }

    @Test func secretKeysRoundTripTheirPrintedForm() throws {
        let key = E2E.SecretKey.generate()
        #expect(key.formatted.hasPrefix("A1-"))
        #expect(try E2E.SecretKey(parsing: key.formatted) == key)
        #expect(try E2E.SecretKey(parsing: key.formatted.lowercased().replacingOccurrences(of: "-", with: " ")) == key)
        #expect(throws: E2E.Failure.malformedSecretKey) { try E2E.SecretKey(parsing: "A1-NOPE") }
        #expect(!"\(key)".contains(key.formatted.dropFirst(3).prefix(5)))
    }
}

/// The `kh` binary itself, driven as a script would: secrets on standard input.
struct CommandLineTests {
    /// `.build/<configuration>/kh` next to this test bundle.
    static var kh: String {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kh").path
        if FileManager.default.isExecutableFile(atPath: bundle) { return bundle }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/kh").path
    }

    static func kh(_ arguments: [String], stdin: String, config: String, environment extra: [String: String] = [:]) throws -> (
        status: Int32, output: String, error: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kh)
        process.arguments = arguments
        process.environment = ["KH_CONFIG_DIR": config, "HOME": config, "PATH": "/usr/bin:/bin"].merging(extra) { $1 }
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func fromSignupToAStoredAndRetrievedPassword() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.kh), "build kh first (swift build)")
        let server = try LiveServer(.sqlite)
        let config = TestDatabase.temporaryDirectory()
        let password = "correct horse battery staple\n"
        let tls = ["--ca-file", server.caFile]
        #expect(try Self.kh(["signup", "--server", server.url, "--email", "kh@example.com"] + tls, stdin: password, config: config).status == 0)
        let login = try Self.kh(["login", "--server", server.url, "--email", "kh@example.com"] + tls, stdin: password, config: config)
        #expect(login.status == 0 && login.output.contains("EMERGENCY KIT"))
        let created = try Self.kh(["vault", "create", "Private", "--e2e"], stdin: password, config: config)
        #expect(created.status == 0, "\(created.error)")
        let added = try Self.kh(
            ["add", "--vault", "Private", "--title", "Router admin", "--password", "Fj3!river-Lamp-0092"], stdin: password, config: config)
        #expect(added.status == 0, "\(added.error)")
        let id = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let got = try Self.kh(["get", id, "--field", "password"], stdin: password, config: config)
        #expect(got.output == "Fj3!river-Lamp-0092\n")
        // kh unlock: later commands use KH_SESSION instead of the password.
        let unlocked = try Self.kh(["unlock"], stdin: password, config: config)
        let session = try #require(unlocked.output.split(separator: "=", maxSplits: 1).last).trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try Self.kh(["list", "--json"], stdin: "", config: config, environment: ["KH_SESSION": session])
        #expect(listed.status == 0 && listed.output.contains("Router admin"))
        #expect(try Self.kh(["get", id], stdin: "wrong password\n", config: config).status == 1)
        let health = try Self.kh(["health", "--json"], stdin: "", config: config, environment: ["KH_SESSION": session])
        #expect(health.status == 0 && health.output.contains("\"weak\""))
        let exported = try Self.kh(["export", "--format", "json", "--output", config + "/export.json"], stdin: password, config: config)
        #expect(exported.status == 0, "\(exported.error)")
        let file = try #require(FileManager.default.contents(atPath: config + "/export.json"))
        #expect((try JSONSerialization.jsonObject(with: file) as? [String: Any])?["vaults"] != nil)
        #expect((try FileManager.default.attributesOfItem(atPath: config + "/export.json")[.posixPermissions] as? Int) == 0o600)
        #expect(try Self.kh(["frobnicate"], stdin: "", config: config).status == 2)
        let generated = try Self.kh(["generate", "--length", "32"], stdin: "", config: config)
        #expect(generated.output.trimmingCharacters(in: .newlines).count == 32)
        // The state directory holds no password and no master key.
        try FileManager.default.removeItem(atPath: config + "/export.json")
        let state = try FileManager.default.contentsOfDirectory(atPath: config).compactMap { FileManager.default.contents(atPath: config + "/" + $0) }
        #expect(
            !state.contains {
                String(decoding: $0, as: UTF8.self).contains("correct horse") || String(decoding: $0, as: UTF8.self).contains("Fj3!river")
            })
    }
}
