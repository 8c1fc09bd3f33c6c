import Foundation

/// Structured JSON logs, one object per line. Callers pass only safe fields: never bodies,
/// tokens, passwords or codes.
public struct Logger: Sendable {
    public enum Level: String, Sendable, Comparable {
        case debug, info, warning, error
        private var rank: Int { [.debug: 0, .info: 1, .warning: 2, .error: 3][self]! }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    public enum Value: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case string(String)
        case integer(Int)
        case double(Double)
        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int) { self = .integer(value) }
    }

    private let sink: any LogSink
    public let minimumLevel: Level

    public init(sink: any LogSink = StandardOutputSink(), minimumLevel: Level = .info) {
        self.sink = sink
        self.minimumLevel = minimumLevel
    }

    public func log(_ level: Level, _ message: String, _ fields: KeyValuePairs<String, Value> = [:]) {
        guard level >= minimumLevel else { return }
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(level.rawValue)\",\"msg\":"
        Self.appendJSONString(message, to: &line)
        for (key, value) in fields {
            line += ","
            Self.appendJSONString(key, to: &line)
            line += ":"
            switch value {
            case .string(let text): Self.appendJSONString(text, to: &line)
            case .integer(let number): line += String(number)
            case .double(let number): line += number.isFinite ? String(format: "%.3f", number) : "null"
            }
        }
        line += "}\n"
        sink.write(line)
    }

    public func info(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.error, message, fields) }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
            parts.tm_min, parts.tm_sec, now.tv_nsec / 1_000_000)
    }

    /// JSON string escaping; control characters are escaped so no value can break a line.
    static func appendJSONString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// Where log lines go.
public protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Standard output, one `write(2)` per line so concurrent lines never interleave.
public struct StandardOutputSink: LogSink {
    public init() {}
    public func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in _ = Foundation.write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }
}

/// Keeps lines in memory (tests).
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    public init() {}
    public func write(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
