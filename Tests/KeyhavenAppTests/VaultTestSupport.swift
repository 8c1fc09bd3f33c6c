import Foundation
import KeyhavenHTTP

@testable import KeyhavenApp

struct ItemBody: Decodable, Equatable {
    var id: String
    var vaultId: String
    var title: String
    var website: String?
    var username: String?
    var password: String
    var notes: String?
    var version: Int
}

struct ItemPage: Decodable {
    var items: [ItemBody]
    var nextCursor: String?
}

struct VaultBody: Decodable {
    var id: String
    var name: String
    var encryption: String
    var isDefault: Bool
    var wrappedKey: String?
}

struct VaultPage: Decodable { var items: [VaultBody] }

extension TestApplication {
    func request(_ method: String, _ path: String, token: String, json: [String: String]? = nil, headers: HTTPHeaders = [:]) throws -> Response {
        var headers = headers
        headers.add(name: "Authorization", value: "Bearer \(token)")
        if let json { return try client.execute(method, path, json: json, headers: headers) }
        return client.execute(method, path, headers: headers)
    }

    func createItem(_ token: String, _ fields: [String: String]) throws -> ItemBody {
        let response = try request("POST", "/passwords", token: token, json: fields)
        guard response.status == 201 else { throw TestFailure("create item: \(response.status) \(response.bodyText)") }
        return try response.decode(ItemBody.self)
    }

    /// A kh1 envelope of random bytes, as an end-to-end client would send.
    static func envelope(_ byteCount: Int = 32) -> String {
        func b64(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return "kh1." + b64((0..<12).map { _ in UInt8.random(in: 0...255) }) + "."
            + b64((0..<(byteCount + 16)).map { _ in UInt8.random(in: 0...255) })
    }
}
