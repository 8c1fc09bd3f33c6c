import Foundation
import KeyhavenHTTP

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
        // Built as bytes: String appends dominated the access log's cost under load.
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: #"{"ts":""#.utf8)
        RFC3339.append(Date(), milliseconds: true, to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","msg":"#.utf8)
        JSONWriter.appendString(message, to: &line)
        for (key, value) in fields {
            line.append(UInt8(ascii: ","))
            JSONWriter.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            switch value {
            case .string(let text): JSONWriter.appendString(text, to: &line)
            case .integer(let number): line.append(contentsOf: String(number).utf8)
            case .double(let number): Self.appendThreeDecimals(number, to: &line)
            }
        }
        line.append(contentsOf: "}\n".utf8)
        sink.write(line)
    }

    public func info(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, Value> = [:]) { log(.error, message, fields) }

    /// `2026-12-04T19:20:43.123Z`.
    static func timestamp() -> String {
        var bytes: [UInt8] = []
        RFC3339.append(Date(), milliseconds: true, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A non-negative number with three decimals, without `String(format:)`.
    static func threeDecimals(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendThreeDecimals(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendThreeDecimals(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite, value >= 0, value < 1e15 else {
            output.append(contentsOf: "null".utf8)
            return
        }
        let micros = Int((value * 1000).rounded())
        output.append(contentsOf: String(micros / 1000).utf8)
        let fraction = micros % 1000
        output.append(contentsOf: [UInt8(ascii: "."), UInt8(48 + fraction / 100), UInt8(48 + fraction / 10 % 10), UInt8(48 + fraction % 10)])
    }

    /// Writes out anything the sink still buffers (at shutdown).
    public func flush() { sink.flush() }
}

/// Where log lines go.
public protocol LogSink: Sendable {
    /// One whole line, newline included, as UTF-8.
    func write(_ line: [UInt8])
    func flush()
}

extension LogSink {
    public func flush() {}
}

/// Standard output through a buffer that a background thread writes out every 50 ms (or at
/// 64 KiB), so a busy server does not pay one `write(2)` per request. Whole lines only, so
/// concurrent lines never interleave; `flush()` at shutdown writes the rest.
public final class StandardOutputSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private static let flushThreshold = 64 * 1024

    public init() {
        let thread = Thread { [weak self] in
            while let sink = self {
                sink.flush()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.name = "keyhaven-log"
        thread.start()
    }

    public func write(_ line: [UInt8]) {
        lock.lock()
        buffer.append(contentsOf: line)
        let full = buffer.count >= Self.flushThreshold
        lock.unlock()
        if full { flush() }
    }

    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress! + written, $0.count - written) }
            if result <= 0 { break }  // stdout closed: drop rather than block the server
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Keeps lines in memory (tests).
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    public init() {}
    public func write(_ line: [UInt8]) {
        lock.lock()
        storage.append(String(decoding: line, as: UTF8.self))
        lock.unlock()
    }
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
