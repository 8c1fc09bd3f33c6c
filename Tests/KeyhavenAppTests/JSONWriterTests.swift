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
}
