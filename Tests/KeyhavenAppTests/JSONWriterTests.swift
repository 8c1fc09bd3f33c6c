import Foundation
import Testing

@testable import KeyhavenApp
@testable import KeyhavenHTTP

struct JSONWriterTests {
    @Test func escapesEverythingJSONRequiresAndRoundTrips() throws {
        let hostile = "quote\" backslash\\ newline\n return\r tab\t bell\u{7} nul\u{0} unicode ✓ 🔑 end"
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", hostile)
        writer.field("none", nil as String?)
        writer.field("number", Int64(-42))
        writer.field("zero", Int64(0))
        writer.field("big", Int64.max)
        writer.timestamp("at", Date(timeIntervalSince1970: 1_796_412_043))
        writer.field("flag", true)
        writer.beginArray(key: "list")
        writer.beginObject()
        writer.field("a", "b")
        writer.endObject()
        writer.beginObject()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(object["text"] as? String == hostile)
        #expect(object["none"] is NSNull)
        #expect(object["number"] as? Int == -42)
        #expect(object["zero"] as? Int == 0)
        #expect(object["big"] as? Int == Int.max)
        #expect(object["at"] as? String == "2026-12-04T19:20:43Z")
        #expect(object["flag"] as? Bool == true)
        #expect((object["list"] as? [[String: String]])?.count == 2)
    }

    @Test func rfc3339FormatsUTCWholeSeconds() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_796_412_043.9)) == "2026-12-04T19:20:43Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.date(from: "2026-12-04T19:20:43Z") == Date(timeIntervalSince1970: 1_796_412_043))
    }

    /// The arithmetic formatter against the C library's `gmtime_r` over four centuries of
    /// pseudo-random instants plus the edges (epoch, leap days, 2000, 2100, before 1970).
    @Test func rfc3339ArithmeticMatchesGmtime() {
        var generator = SystemRandomNumberGenerator()
        var instants: [Int64] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_456_000, 4_107_542_399, -2_208_988_800, 253_402_300_799]
        for _ in 0..<20_000 { instants.append(Int64.random(in: -6_000_000_000...12_000_000_000, using: &generator)) }
        for instant in instants {
            var time = time_t(instant)
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected =
                String(
                    format: "%04d-%02d-%02dT%02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min,
                    parts.tm_sec)
            var bytes: [UInt8] = []
            RFC3339.append(unixSeconds: instant, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(instant)")
        }
        var withMilliseconds: [UInt8] = []
        RFC3339.append(Date(timeIntervalSince1970: 1_796_412_043.045), milliseconds: true, to: &withMilliseconds)
        #expect(String(decoding: withMilliseconds, as: UTF8.self) == "2026-12-04T19:20:43.045Z")
    }

    @Test func bytesFromTheDatabaseAreEscapedLikeStrings() throws {
        let hostile = "a\"b\\c\n\u{1}\u{2028}\u{2029}✓"
        var writer = JSONWriter()
        writer.beginObject()
        var copy = hostile
        copy.withUTF8 { writer.field("raw", utf8: UnsafeRawBufferPointer($0)) }
        writer.field("text", hostile)
        writer.endObject()
        let line = String(decoding: writer.bytes, as: UTF8.self)
        #expect(line.contains(#"\u2028"#) && line.contains(#"\u2029"#) && line.contains(#"\u0001"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: String])
        #expect(object["raw"] == hostile && object["text"] == hostile)
    }
}
