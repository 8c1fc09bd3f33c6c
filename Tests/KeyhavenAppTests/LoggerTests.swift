import Foundation
import Testing

@testable import KeyhavenApp

struct LoggerTests {
    @Test func linesAreOneJSONObjectEachEvenWithHostileText() throws {
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink)
        logger.info("line\nbreak \"quoted\" \u{2028} \u{0007}", ["field\r\n": "value\n{\"injected\":true}", "count": 3, "ms": .double(1.5)])
        #expect(sink.lines.count == 1)
        let line = sink.lines[0]
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().firstIndex(of: "\n") == nil)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "line\nbreak \"quoted\" \u{2028} \u{0007}")
        #expect(object["field\r\n"] as? String == "value\n{\"injected\":true}")
        #expect(object["count"] as? Int == 3)
        #expect(object["ms"] as? Double == 1.5)
        #expect(object["level"] as? String == "info")
        #expect(object["injected"] == nil)
    }

    @Test func timestampIsRFC3339WithMilliseconds() {
        let stamp = Logger.timestamp()
        #expect(stamp.count == 24)
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }

    @Test(arguments: [(0.0, "0.000"), (1.5, "1.500"), (12.3456, "12.346"), (0.0004, "0.000"), (0.0005, "0.001")])
    func threeDecimals(value: Double, expected: String) {
        #expect(Logger.threeDecimals(value) == expected)
    }

    @Test func levelsBelowTheMinimumAreDropped() {
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink, minimumLevel: .warning)
        logger.info("quiet")
        logger.warning("loud")
        #expect(sink.lines.count == 1)
        #expect(sink.lines[0].contains("loud"))
    }
}
