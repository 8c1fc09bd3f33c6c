import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

/// The account flow over a real socket, through the work pool that password hashing runs on.
struct AuthSocketTests {
    @Test(arguments: TestDatabase.backends)
    func signupLoginRefreshLogoutOverTheWire(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let server = try test.app.startServer(port: 0)
        defer { server.shutdown() }
        func call(_ method: String, _ path: String, json: String? = nil, token: String? = nil) throws -> Response {
            var headers: [String: String] = [:]
            if json != nil { headers["Content-Type"] = "application/json" }
            if let token { headers["Authorization"] = "Bearer \(token)" }
            return try SocketHTTPClient.request(port: server.port, method: method, path: path, headers: headers, body: Array((json ?? "").utf8))
        }
        let credentials = #"{"email":"ada@example.com","password":"correct horse battery staple"}"#
        #expect(try call("POST", "/auth/signup", json: credentials).status == 201)
        let malformed = try call("POST", "/auth/signup", json: #"{"email": "#)
        #expect(malformed.status == 400)
        #expect(malformed.headers["Content-Type"] == "application/problem+json")
        #expect(malformed.headers["X-Request-Id"] != nil)

        let login = try call("POST", "/auth/login", json: credentials)
        #expect(login.status == 200)
        #expect(login.headers["Cache-Control"] == "no-store")
        let tokens = try login.decode(TestApplication.Tokens.self)
        #expect(try call("GET", "/auth/me", token: tokens.accessToken).status == 200)
        let refreshed = try call("POST", "/auth/refresh", json: #"{"refresh_token":"\#(tokens.refreshToken)"}"#)
        #expect(refreshed.status == 200)
        let next = try refreshed.decode(TestApplication.Tokens.self)
        #expect(try call("POST", "/auth/logout", token: next.accessToken).status == 204)
        #expect(try call("GET", "/auth/me", token: next.accessToken).status == 401)
        #expect(try call("POST", "/auth/login", json: #"{"email":"ada@example.com","password":"wrong password here"}"#).status == 401)
    }
}
