import Foundation
import KeyhavenTestSupport
import Testing

@testable import KeyhavenMail

struct EmailMessageTests {
    @Test func headersCannotBeInjectedAndBodiesAreMIME() throws {
        let message = EmailMessage(
            from: "keyhaven@example.com", to: "ada@example.com\r\nBcc: eve@example.com",
            subject: "New item\r\nBcc: eve@example.com", text: "Hello\nworld <b>&</b>")
        let wire = message.rendered(messageID: "abc123", date: Date(timeIntervalSince1970: 1_796_412_043))
        let head = wire.components(separatedBy: "\r\n\r\n")[0]
        let headerLines = head.components(separatedBy: "\r\n")
        #expect(!headerLines.contains { $0.hasPrefix("Bcc:") })
        #expect(headerLines.contains("Subject: New itemBcc: eve@example.com"))
        #expect(headerLines.contains("Date: Fri, 04 Dec 2026 19:20:43 +0000"))
        #expect(headerLines.contains("Message-ID: <abc123@example.com>"))
        #expect(wire.contains("Content-Type: text/html; charset=utf-8"))
        let unicode = EmailMessage(from: "a@b.c", to: "d@e.f", subject: "Passwörter ✓", text: "x").rendered(messageID: "m")
        #expect(unicode.contains("Subject: =?UTF-8?B?"))
    }
}

/// Delivery to a real SMTP server (aiosmtpd from PyPI, which `make test` installs).
struct SMTPClientTests {
    @Test(.enabled(if: SMTPTestServer.isAvailable || TestDatabase.postgresRequired))
    func deliversToARealSMTPServer() throws {
        let server = try SMTPTestServer.start()
        defer { server.stop() }
        try SMTPClient(url: server.url).send(
            EmailMessage(from: "keyhaven@example.com", to: "ada@example.com", subject: "Your code", text: "Hello Ada"), messageID: "m1")
        let messages = try server.waitForMessages(count: 1)
        #expect(messages[0].contains("To: ada@example.com"))
        #expect(messages[0].contains("Subject: Your code"))
        #expect(messages[0].contains(Data("Hello Ada".utf8).base64EncodedString()))
    }

    @Test func unreachableServerFailsCleanly() {
        #expect(throws: SMTPClient.Failure.self) {
            try SMTPClient(url: URL(string: "smtp://127.0.0.1:1")!, timeoutSeconds: 5).send(
                EmailMessage(from: "a@b.c", to: "d@e.f", subject: "s", text: "t"), messageID: "x")
        }
    }
}
