import Foundation
import KeyhavenHTTP

@testable import KeyhavenApp

/// Shortcuts for driving `/auth/*` in tests.
extension TestApplication {
    static let password = "correct horse battery staple"

    struct Tokens: Decodable {
        var accessToken: String
        var refreshToken: String
        var tokenType: String
        var expiresIn: Int
    }

    @discardableResult
    func signup(_ email: String, password: String = TestApplication.password) throws -> Response {
        try client.execute("POST", "/auth/signup", json: ["email": email, "password": password])
    }

    func login(_ email: String, password: String = TestApplication.password, headers: HTTPHeaders = [:]) throws -> Response {
        try client.execute("POST", "/auth/login", json: ["email": email, "password": password], headers: headers)
    }

    /// Signs up (if needed) and logs in; returns the tokens.
    func signedIn(_ email: String, password: String = TestApplication.password) throws -> Tokens {
        try signup(email, password: password)
        let response = try login(email, password: password)
        guard response.status == 200 else { throw TestFailure("login failed: \(response.status) \(response.bodyText)") }
        return try response.decode(Tokens.self)
    }

    func refresh(_ token: String) throws -> Response {
        try client.execute("POST", "/auth/refresh", json: ["refresh_token": token])
    }

    func get(_ path: String, token: String) -> Response {
        client.execute("GET", path, headers: ["Authorization": "Bearer \(token)"])
    }

    func post(_ path: String, token: String, json: [String: String]? = nil) throws -> Response {
        if let json { return try client.execute("POST", path, json: json, headers: ["Authorization": "Bearer \(token)"]) }
        return client.execute("POST", path, headers: ["Authorization": "Bearer \(token)"])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
