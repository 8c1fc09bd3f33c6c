import Foundation
import Glibc
import KeyhavenHTTPClient
import KeyhavenLocking
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

/// Crash safety: items are written over HTTP while the real `keyhaven serve` process is killed
/// with SIGKILL at random moments (the first kills land during start-up and migration). After
/// every restart, every write that was answered 2xx is present and decrypts, the database passes
/// its integrity check, and every migration is fully applied.
@Suite(.serialized)
struct CrashSafetyTests {
    static var keyhaven: String {
        let sibling = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("keyhaven").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/keyhaven").path
    }

    static func freePort() -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    final class Server {
        let process = Process()
        init(environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: CrashSafetyTests.keyhaven)
            process.arguments = ["serve"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func kill() {
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static let http = HTTPClient(timeoutSeconds: 5)

    static func request(_ base: String, _ method: String, _ path: String, token: String? = nil, json: Any? = nil) -> HTTPClient.Response? {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let body = json.map { Array((try? JSONSerialization.data(withJSONObject: $0)) ?? Data()) }
        return try? http.send(method: method, url: URL(string: base + path)!, headers: headers, body: body)
    }

    static func waitUntilUp(_ base: String) -> Bool {
        for _ in 0..<200 {
            if request(base, "GET", "/healthz")?.status == 200 { return true }
            usleep(25_000)
        }
        return false
    }

    @Test(arguments: TestDatabase.backends)
    func acknowledgedWritesSurviveSIGKILL(_ backend: DatabaseBackend) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.keyhaven), "build keyhaven first")
        let database = try TestDatabase.make(backend, migrate: false)
        defer { database.drop() }
        let dataDirectory = TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let url: String
        switch database.location {
        case .sqlite(let path): url = "sqlite://\(path)"
        case .postgres(let location): url = location
        }
        let port = Self.freePort()
        let base = "http://127.0.0.1:\(port)"
        let environment = [
            "KEYHAVEN_ENV": "test", "KEYHAVEN_DATA_DIR": dataDirectory, "KEYHAVEN_TLS": "off", "KEYHAVEN_BCRYPT_COST": "4",
            "KEYHAVEN_DATABASE_URL": url, "KEYHAVEN_LISTEN": "127.0.0.1:\(port)", "PATH": "/usr/bin:/bin",
        ]
        let kills = Int(ProcessInfo.processInfo.environment["KEYHAVEN_CRASH_KILLS"] ?? "") ?? 20
        var generator = SystemRandomNumberGenerator()

        // Start-up and migration interrupted: killed within milliseconds of starting, twice.
        for delay in [15_000, 40_000] {
            let early = try Server(environment: environment)
            usleep(useconds_t(delay))
            early.kill()
        }

        var token: String?
        let acknowledged = Locked([(id: String, password: String)]())
        var attempted = 0
        for round in 0..<kills {
            let server = try Server(environment: environment)
            guard Self.waitUntilUp(base) else {
                server.kill()
                Issue.record("the server did not come back after kill \(round)")
                return
            }
            if token == nil {
                _ = Self.request(base, "POST", "/auth/signup", json: ["email": "crash@example.com", "password": "correct horse battery staple"])
                let login = Self.request(
                    base, "POST", "/auth/login", json: ["email": "crash@example.com", "password": "correct horse battery staple"])
                token = login.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }?["access_token"] as? String
            }
            let bearer = try #require(token)
            // Writers hammer the server; it dies under them at a random moment.
            let stop = Locked(false)
            let counted = Locked(0)
            let group = DispatchGroup()
            for writer in 0..<3 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    var sequence = 0
                    while !stop.withLock({ $0 }) {
                        sequence += 1
                        let password = "pw-\(round)-\(writer)-\(sequence)-\(UUID().uuidString.prefix(8))"
                        counted.withLock { $0 += 1 }
                        guard
                            let response = Self.request(
                                base, "POST", "/passwords", token: bearer, json: ["title": "crash \(round)", "password": password]),
                            response.status == 201,
                            let id = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["id"] as? String
                        else { continue }
                        acknowledged.withLock { $0.append((id, password)) }
                    }
                }
            }
            usleep(useconds_t(Int.random(in: 50_000...400_000, using: &generator)))
            server.kill()
            stop.withLock { $0 = true }
            group.wait()
            attempted += counted.withLock { $0 }
        }

        // One more start: every acknowledged write is there and decrypts.
        let server = try Server(environment: environment)
        defer { server.kill() }
        #expect(Self.waitUntilUp(base))
        let written = acknowledged.withLock { $0 }
        #expect(written.count > kills, "too few writes were acknowledged to mean anything (\(written.count) of \(attempted))")
        var missing = 0
        for (id, password) in written {
            guard let response = Self.request(base, "GET", "/passwords/\(id)", token: token),
                response.status == 200,
                (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["password"] as? String == password
            else {
                missing += 1
                continue
            }
        }
        #expect(missing == 0, "\(missing) of \(written.count) acknowledged writes lost")
        let check = try database.location.open(poolSize: 1)
        defer { check.close() }
        #expect(try Migrator.appliedVersions(check) == Migrator.migrations(for: backend).map(\.version))
        if backend == .sqlite {
            #expect(try check.query("PRAGMA integrity_check", []).first?.string("integrity_check") == "ok")
        }
    }
}
