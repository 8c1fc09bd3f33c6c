import Foundation
import KeyhavenHTTP

/// Writes JSON straight into bytes, for the hot list and read paths where Foundation's
/// `JSONEncoder` costs more than decrypting the data. Keys are written as given (snake_case).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginObject(key: StaticString) {
        writeKey(key)
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// A string element of the current array.
    mutating func element(_ value: String) {
        separate()
        writeString(value)
        needsComma = true
    }

    /// A value that is already JSON (stored as JSON by this server).
    mutating func raw(key: StaticString, _ json: String) {
        writeKey(key)
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Int) { field(key, Int64(value)) }

    mutating func beginArray(key: StaticString) {
        writeKey(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: String?) {
        writeKey(key)
        if let value { writeString(value) } else { bytes.append(contentsOf: [110, 117, 108, 108]) }  // null
        needsComma = true
    }

    /// A string field from UTF-8 bytes (borrowed from the database).
    mutating func field(_ key: StaticString, utf8: UnsafeRawBufferPointer) {
        writeKey(key)
        Self.appendString(utf8, to: &bytes)
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Int64) {
        writeKey(key)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(48 + (magnitude / divisor) % 10))
            divisor /= 10
        }
        needsComma = true
    }

    /// An RFC 3339 UTC timestamp with whole seconds, written straight into the output.
    mutating func timestamp(_ key: StaticString, _ date: Date) {
        timestamp(key, unixSeconds: date.unixSeconds)
    }

    mutating func timestamp(_ key: StaticString, unixSeconds: Int64) {
        writeKey(key)
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(unixSeconds: unixSeconds, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        writeKey(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// Lets `render` append members (`"a":1,"b":"x"`) to the output directly (decrypting into it).
    mutating func members(_ render: (inout [UInt8]) throws -> Void) rethrows {
        separate()
        try render(&bytes)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Keys are this server's own snake_case literals: written as they are, nothing to escape.
    private mutating func writeKey(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { key in
            assert(key.allSatisfy { Self.needsEscape[Int($0)] == 0 }, "JSON keys are plain literals")
            bytes.append(contentsOf: key)
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func writeString(_ value: String) {
        Self.appendString(value, to: &bytes)
    }

    /// `text` as a JSON string, quotes included.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &output) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// 1 for bytes that stop the plain-run scan: controls, `"`, `\\`, and 0xE2 (which may begin
    /// U+2028/U+2029).
    private static let needsEscape: [UInt8] = (0..<256).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 ? 1 : 0
    }

    /// UTF-8 bytes as a JSON string, quotes included. Control characters are escaped, and so are
    /// U+2028/U+2029, so the output is also safe as one line of a JSON-lines log.
    static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Copy runs of plain bytes at once; escape the rest.
        var runStart = 0
        var index = 0
        let table = needsEscape
        while index < utf8.count {
            let byte = utf8[index]
            if table[Int(byte)] == 0 {
                index += 1
                continue
            }
            var width = 1
            let escape: (UInt8, UInt8?)  // \X, or \u00XX / \u202X
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escape = (byte, nil)
            case 0x0A: escape = (UInt8(ascii: "n"), nil)
            case 0x0D: escape = (UInt8(ascii: "r"), nil)
            case 0x09: escape = (UInt8(ascii: "t"), nil)
            case 0..<0x20: escape = (UInt8(ascii: "u"), byte)
            case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                escape = (UInt8(ascii: "u"), nil)
                width = 3
            default:
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
            output.append(UInt8(ascii: "\\"))
            output.append(escape.0)
            if escape.0 == UInt8(ascii: "u") {
                if let control = escape.1 {
                    output.append(contentsOf: [48, 48, hexDigits[Int(control >> 4)], hexDigits[Int(control & 15)]])
                } else {
                    output.append(contentsOf: [50, 48, 50, utf8[index + 2] == 0xA8 ? 56 : 57])  // 2028 / 2029
                }
            }
            index += width
            runStart = index
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
        output.append(UInt8(ascii: "\""))
    }
}
