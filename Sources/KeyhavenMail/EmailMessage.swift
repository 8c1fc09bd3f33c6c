public import Foundation

/// A plain-text email with an HTML alternative, rendered to RFC 5322 / MIME. Every header value
/// is stripped of CR, LF and other control characters, so no field (a title, an address) can add
/// a header; non-ASCII subjects are RFC 2047 encoded.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String

    public init(from: String, to: String, subject: String, text: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
    }

    /// The wire form (CRLF line endings). `messageID` and `date` are parameters for tests.
    public func rendered(messageID: String, date: Date = Date()) -> String {
        let boundary = "kh-" + messageID.filter { $0.isLetter || $0.isNumber }.prefix(24)
        let domain = Self.clean(from).split(separator: "@").last.map(String.init) ?? "localhost"
        var lines = [
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(Self.clean(messageID))@\(domain)>",
            "From: \(Self.clean(from))",
            "To: \(Self.clean(to))",
            "Subject: \(Self.encodedWord(Self.clean(subject)))",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += Self.base64Lines(text)
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += Self.base64Lines(Self.html(text))
        lines += ["--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// Header-safe: no control characters at all (CR and LF above all).
    static func clean(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }))
    }

    private static func encodedWord(_ value: String) -> String {
        guard !value.unicodeScalars.allSatisfy(\.isASCII) else { return value }
        return "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    private static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { offset in
            let start = encoded.index(encoded.startIndex, offsetBy: offset)
            return String(encoded[start..<encoded.index(start, offsetBy: min(76, encoded.count - offset))])
        }
    }

    private static func html(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        let paragraphs = escaped.components(separatedBy: "\n\n").map { "<p>" + $0.replacingOccurrences(of: "\n", with: "<br>") + "</p>" }
        return "<!DOCTYPE html><html><body style=\"font-family: sans-serif\">" + paragraphs.joined() + "</body></html>"
    }

    private static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
