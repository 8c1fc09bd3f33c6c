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

    mutating func beginObject(key: String) {
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
    mutating func raw(key: String, _ json: String) {
        writeKey(key)
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    mutating func field(_ key: String, _ value: Int) { field(key, Int64(value)) }

    mutating func beginArray(key: String) {
        writeKey(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ key: String, _ value: String?) {
        writeKey(key)
        if let value { writeString(value) } else { bytes.append(contentsOf: [110, 117, 108, 108]) }  // null
        needsComma = true
    }

    mutating func field(_ key: String, _ value: Int64) {
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
    mutating func timestamp(_ key: String, _ date: Date) {
        writeKey(key)
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func field(_ key: String, _ value: Bool) {
        writeKey(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    /// Appends members rendered earlier (`"a":1,"b":"x"`) into the current object.
    mutating func members(_ rendered: ArraySlice<UInt8>) {
        separate()
        bytes.append(contentsOf: rendered)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func writeKey(_ key: String) {
        separate()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Most strings need no escaping at all: check first, then copy them in one go.
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                bytes.append(contentsOf: utf8)
                return
            }
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default: bytes.append(contentsOf: [UInt8(ascii: "u"), 48, 48, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 15)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
