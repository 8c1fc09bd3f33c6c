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
        var bytes: [UInt8] = []
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `2026-12-04T19:20:43Z` (or `…43.123Z` with `milliseconds`) to `bytes`: the one
    /// formatter behind API timestamps, JSON output and log lines.
    public static func append(_ date: Date, milliseconds: Bool = false, to bytes: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        append(unixSeconds: Int64(whole), milliseconds: milliseconds ? min(999, Int((interval - whole) * 1000)) : nil, to: &bytes)
    }

    /// The same from Unix seconds (as stored), without going through `Date` or `gmtime_r`:
    /// the civil date comes from Howard Hinnant's days-to-civil arithmetic (proleptic Gregorian).
    public static func append(unixSeconds: Int64, milliseconds: Int? = nil, to bytes: inout [UInt8]) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondOfDay = Int(unixSeconds - days * 86_400)
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        // Written into a stack buffer, then appended once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var count = 0
            func put(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func two(_ value: Int) {
                put(UInt8(48 + value / 10 % 10))
                put(UInt8(48 + value % 10))
            }
            two(year / 100)
            two(year)
            put(UInt8(ascii: "-"))
            two(month)
            put(UInt8(ascii: "-"))
            two(day)
            put(UInt8(ascii: "T"))
            two(secondOfDay / 3600)
            put(UInt8(ascii: ":"))
            two(secondOfDay / 60 % 60)
            put(UInt8(ascii: ":"))
            two(secondOfDay % 60)
            if let milliseconds {
                put(UInt8(ascii: "."))
                put(UInt8(48 + milliseconds / 100 % 10))
                two(milliseconds)
            }
            put(UInt8(ascii: "Z"))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    public static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
