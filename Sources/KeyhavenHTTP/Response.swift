public import Foundation

/// One HTTP response. Handlers build these; the responder adds the common headers.
public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (`application/json`), keys in snake_case as API.md asks.
    public static func json(_ value: some Encodable, status: Int = 200, headers: HTTPHeaders = [:]) throws -> Response {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return Response(status: status, headers: headers, body: Array(try JSONCoding.encoder.encode(value)))
    }

    /// 204 No Content.
    public static var noContent: Response { Response(status: 204) }

    /// A plain-text response (Prometheus metrics, for instance).
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: Int = 200) -> Response {
        Response(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }
}

/// The one JSON configuration of the API: snake_case keys, RFC 3339 UTC dates.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 timestamp")
            }
            return date
        }
        return decoder
    }()
}

/// RFC 3339 timestamps in UTC with whole seconds (`2026-12-04T19:20:43Z`).
public enum RFC3339 {
    /// Formatted by hand: `String(format:)` is slow enough to matter on list pages.
    public static func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int32, at offset: Int, digits: Int) {
            var remaining = Int(value)
            for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                text[position] = UInt8(48 + remaining % 10)
                remaining /= 10
            }
        }
        put(parts.tm_year + 1900, at: 0, digits: 4)
        text[4] = 45
        put(parts.tm_mon + 1, at: 5, digits: 2)
        text[7] = 45
        put(parts.tm_mday, at: 8, digits: 2)
        text[10] = 84
        put(parts.tm_hour, at: 11, digits: 2)
        text[13] = 58
        put(parts.tm_min, at: 14, digits: 2)
        text[16] = 58
        put(parts.tm_sec, at: 17, digits: 2)
        text[19] = 90
        return String(decoding: text, as: UTF8.self)
    }

    public static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
