import Foundation
import KeyhavenCrypto
import KeyhavenHTTP

/// `?limit=` (default 50, at most 200) and `?cursor=` (opaque) as API.md defines them.
struct PageRequest {
    static let defaultLimit = 50
    static let maximumLimit = 200

    let limit: Int
    let cursor: String?

    init(_ request: Request) throws {
        if let text = request.query["limit"] {
            guard let value = Int(text), value >= 1 else {
                throw HTTPError.badRequest("limit must be a whole number from 1 to \(Self.maximumLimit).", code: "invalid_limit")
            }
            limit = min(value, Self.maximumLimit)
        } else {
            limit = Self.defaultLimit
        }
        if let text = request.query["cursor"], !text.isEmpty {
            guard let bytes = Base64URL.decode(text), let decoded = String(bytes: bytes, encoding: .utf8) else {
                throw HTTPError.badRequest("The cursor is not one this server issued.", code: "invalid_cursor")
            }
            cursor = decoded
        } else {
            cursor = nil
        }
    }

    static func encodeCursor(_ position: String) -> String { Base64URL.encode(Array(position.utf8)) }
}

/// A page of a list: `{"items": [...], "next_cursor": "..." | null}`.
struct Page<Item: Encodable>: Encodable {
    let items: [Item]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null, not absent, on the last page
    }
}
