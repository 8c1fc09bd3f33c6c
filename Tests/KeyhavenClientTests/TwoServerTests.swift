import Foundation
import KeyhavenHTTPClient
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

/// Two real `keyhaven serve` processes on one PostgreSQL (different ports, the same key files):
/// rate limits, refresh-token rotation and logout are shared at once; scan jobs run once; and a
/// server killed in the middle of a scan leaves the other to finish it.
@Suite(.serialized)
struct TwoServerTests {
    typealias Crash = CrashSafetyTests

    static func json(_ response: HTTPClient.Response?) -> [String: Any] {
        response.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] } ?? [:]
    }

    static func post(_ base: String, _ path: String, token: String? = nil, _ body: Any) -> HTTPClient.Response? {
        Crash.request(base, "POST", path, token: token, json: body)
    }

    @Test func sharedStateAndScansAcrossTwoServers() throws {
        guard TestDatabase.backends.contains(.postgres) else { return }  // two servers need PostgreSQL
        let database = try TestDatabase.make(.postgres, migrate: true)
        defer { database.drop() }
        guard case .postgres(let url) = database.location else { return }
        let github = try FakeGitHub()
        github.addAccount(.init(id: 77, login: "twin", email: "twin@example.com"))
        var files: [String: String] = [:]
        for index in 0..<120 { files["src/module\(index).py"] = "def f\(index)():\n    return \(index)\n" }
        files["config/prod.env"] = "DB_PASSWORD=Xk9!mP2vL8qR4twZ\n"
        files["src/deep/keys.py"] = "TOKEN = \"\(FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF"))\"\n"
        github.setRepository("twin/big", owner: "twin", files: files)
        for index in 0..<6 { github.setRepository("twin/small\(index)", owner: "twin", files: ["a.txt": "nothing \(index)\n"]) }

        let dataDirectory = TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let ports = [Crash.freePort(), Crash.freePort()]
        func environment(_ port: UInt16) -> [String: String] {
            [
                "KEYHAVEN_ENV": "test", "KEYHAVEN_DATA_DIR": dataDirectory, "KEYHAVEN_TLS": "off", "KEYHAVEN_BCRYPT_COST": "4",
                "KEYHAVEN_DATABASE_URL": url, "KEYHAVEN_LISTEN": "127.0.0.1:\(port)", "PATH": "/usr/bin:/bin",
                "KEYHAVEN_GITHUB_CLIENT_ID": github.clientID, "KEYHAVEN_GITHUB_CLIENT_SECRET": github.clientSecret,
                "KEYHAVEN_GITHUB_API_URL": github.baseURL.absoluteString, "KEYHAVEN_GITHUB_WEB_URL": github.baseURL.absoluteString,
                "KEYHAVEN_SCAN_LEASE_SECONDS": "5",
            ]
        }
        let a = "http://127.0.0.1:\(ports[0])"
        let b = "http://127.0.0.1:\(ports[1])"
        // A first (it creates the key files), then B with the same ones.
        var serverA: CrashSafetyTests.Server? = try .init(environment: environment(ports[0]))
        defer { serverA?.kill() }
        #expect(Crash.waitUntilUp(a))
        let serverB = try CrashSafetyTests.Server(environment: environment(ports[1]))  // killed before the big scan
        defer { serverB.kill() }
        #expect(Crash.waitUntilUp(b))

        let credentials = ["email": "twin@example.com", "password": "correct horse battery staple"]
        #expect(Self.post(a, "/auth/signup", credentials)?.status == 201)

        // Rate limits are shared: failures on A count on B (another account, so the main one is not throttled).
        let target = ["email": "victim@example.com", "password": "wrong password here!"]
        #expect(Self.post(b, "/auth/signup", ["email": "victim@example.com", "password": "correct horse battery staple"])?.status == 201)
        var throttledOnA = false
        for _ in 0..<12 where !throttledOnA { throttledOnA = Self.post(a, "/auth/login", target)?.status == 429 }
        #expect(throttledOnA)
        #expect(Self.post(b, "/auth/login", target)?.status == 429)
        let session = Self.json(Self.post(b, "/auth/login", credentials))
        let token = try #require(session["access_token"] as? String)
        let refresh = try #require(session["refresh_token"] as? String)

        // A refresh token rotated on A is spent on B, and reusing it there revokes the session.
        let rotated = Self.json(Self.post(a, "/auth/refresh", ["refresh_token": refresh]))
        let newRefresh = try #require(rotated["refresh_token"] as? String)
        let newAccess = try #require(rotated["access_token"] as? String)
        #expect(Self.post(b, "/auth/refresh", ["refresh_token": refresh])?.status == 401)
        #expect(Self.post(b, "/auth/refresh", ["refresh_token": newRefresh])?.status == 401)
        _ = token
        #expect(Crash.request(a, "GET", "/auth/me", token: newAccess)?.status == 401)

        // Logout on A is seen by B at once.
        let fresh = Self.json(Self.post(a, "/auth/login", credentials))
        let access = try #require(fresh["access_token"] as? String)
        #expect(Crash.request(b, "GET", "/auth/me", token: access)?.status == 200)
        #expect(Self.post(a, "/auth/logout", token: access, ["refresh_token": fresh["refresh_token"] as? String ?? ""])?.status == 204)
        #expect(Crash.request(b, "GET", "/auth/me", token: access)?.status == 401)

        // Link GitHub through A (the browser's part done by hand).
        let login = Self.json(Self.post(a, "/auth/login", credentials))
        let bearer = try #require(login["access_token"] as? String)
        let start = Self.json(Crash.request(a, "GET", "/auth/github/login", token: bearer))
        github.signInAs("twin")
        let redirect = try Crash.http.send(method: "GET", url: URL(string: start["authorize_url"] as? String ?? "")!, headers: [])
        let callback = try #require(URLComponents(string: redirect.headers["location"] ?? ""))
        let linked = Crash.request(a, "GET", callback.path + "?" + (callback.percentEncodedQuery ?? ""))
        #expect(linked?.status == 200 && Self.json(linked)["action"] as? String == "linked")

        // Many small scans with both servers' workers running: each runs exactly once.
        var smallIDs: [String] = []
        for index in 0..<6 {
            let server = index % 2 == 0 ? a : b
            let queued = Self.json(Self.post(server, "/github/scan", token: bearer, ["repositories": ["twin/small\(index)"]]))
            smallIDs.append(try #require(queued["scan_id"] as? String))
        }
        for id in smallIDs {
            var status = ""
            for _ in 0..<300 where status != "completed" && status != "failed" {
                status = Self.json(Crash.request(b, "GET", "/github/scans/\(id)", token: bearer))["status"] as? String ?? ""
                if status != "completed" { Thread.sleep(forTimeInterval: 0.05) }
            }
            #expect(status == "completed")
        }
        let attempts = try database.database.query("SELECT attempts FROM scan_jobs", [])
        #expect(try attempts.allSatisfy { try $0.integer("attempts") == 1 }, "a job was claimed twice")

        // A big scan that A is running (B is down while A claims it, then comes back): kill A
        // mid-scan, and B takes it over when A's lease runs out, and finishes it.
        serverB.kill()
        github.delayBlobs(milliseconds: 40)
        let big = Self.json(Self.post(a, "/github/scan", token: bearer, ["repositories": ["twin/big"]]))
        let bigID = try #require(big["scan_id"] as? String)
        var running = false
        for _ in 0..<200 where !running {
            let status = Self.json(Crash.request(a, "GET", "/github/scans/\(bigID)", token: bearer))
            running =
                status["status"] as? String == "running"
                && ((status["progress"] as? [String: Any])?["files_scanned"] != nil || github.blobDownloads > 6)
            if !running { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(running)
        let survivor = try CrashSafetyTests.Server(environment: environment(ports[1]))
        defer { survivor.kill() }
        #expect(Crash.waitUntilUp(b))
        serverA?.kill()
        serverA = nil
        github.delayBlobs(milliseconds: 0)
        var final: [String: Any] = [:]
        for _ in 0..<400 {
            final = Self.json(Crash.request(b, "GET", "/github/scans/\(bigID)", token: bearer))
            if final["status"] as? String == "completed" || final["status"] as? String == "failed" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(final["status"] as? String == "completed")
        #expect(final["new_findings"] as? Int == 2)
        let rows = try database.database.query("SELECT attempts FROM scan_jobs WHERE id = $1", [.text(bigID)])
        #expect(try rows.first?.integer("attempts") == 2, "taken over exactly once after the kill")
    }
}
