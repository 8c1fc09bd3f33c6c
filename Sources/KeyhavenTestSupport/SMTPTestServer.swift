public import Foundation

/// A real SMTP server for tests: aiosmtpd (PyPI) writing each message into a maildir. The
/// Python interpreter comes from `KEYHAVEN_TEST_PYTHON` (the venv `make test` makes).
public final class SMTPTestServer: @unchecked Sendable {
    public let url: URL
    public let port: UInt16
    private let directory: String
    private var process: Process?

    public static var python: String { ProcessInfo.processInfo.environment["KEYHAVEN_TEST_PYTHON"] ?? "/usr/bin/env" }

    public static var isAvailable: Bool { ProcessInfo.processInfo.environment["KEYHAVEN_TEST_PYTHON"] != nil }

    public static func start(port: UInt16? = nil) throws -> SMTPTestServer {
        let directory = TestDatabase.temporaryDirectory()
        let server = SMTPTestServer(port: port ?? freePort(), directory: directory)
        try server.launch()
        return server
    }

    private init(port: UInt16, directory: String) {
        self.port = port
        self.directory = directory
        url = URL(string: "smtp://127.0.0.1:\(port)")!
    }

    /// Starts the server (again, after `stop`, on the same port and maildir).
    public func launch() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        let arguments = ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", directory + "/maildir"]
        process.arguments = Self.python == "/usr/bin/env" ? ["python3"] + arguments : arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Wait until it accepts connections.
        for _ in 0..<100 {
            if (try? SocketHTTPClient(port: port, timeout: 1)) != nil { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SocketHTTPClient.Failure(description: "aiosmtpd did not start on port \(port)")
    }

    /// Stops the server at once (SIGKILL: aiosmtpd's event loop ignores SIGTERM; its maildir
    /// writes are atomic, so delivered messages stay intact).
    public func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// The raw messages delivered so far, oldest first.
    public func messages() -> [String] {
        let newDirectory = directory + "/maildir/new"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: newDirectory)) ?? []).sorted()
        return names.compactMap { try? String(contentsOfFile: newDirectory + "/" + $0, encoding: .utf8) }
    }

    /// Waits (up to 20 s) until at least `count` messages have arrived.
    public func waitForMessages(count: Int) throws -> [String] {
        for _ in 0..<200 {
            let found = messages()
            if found.count >= count { return found }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw SocketHTTPClient.Failure(description: "expected \(count) messages, got \(messages().count)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func freePort() -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }
}
