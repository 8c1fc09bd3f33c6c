public import Foundation
public import KeyhavenHTTP

/// A minimal HTTP/1.1 client over a raw TCP socket, for tests against the real server:
/// it can send exactly the bytes a test wants (slowly, malformed, oversized).
public final class SocketHTTPClient: @unchecked Sendable {  // one socket; tests use it from one thread at a time
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`, with `timeout` seconds for each read.
    public init(port: UInt16, timeout: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close() here: the object is fully initialised, so throwing runs deinit, which closes
        // the descriptor. Closing it here as well closed it twice, and the second close could hit
        // a descriptor another thread had just been given (a server's connection socket, which
        // libmicrohttpd then failed to remove from its epoll set and aborted the test process).
        guard connected == 0 else { throw Failure(description: "connect() to port \(port) failed (errno \(errno))") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard result > 0 else { throw Failure(description: "send() failed (errno \(errno))") }
            sent += result
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until the server closes the connection (requests send `Connection: close`).
    public func readResponse() throws -> Response {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                if data.isEmpty { throw Failure(description: "no response (errno \(errno))") }
                break
            }
            data.append(contentsOf: buffer[..<count])
        }
        return try Self.parse(data)
    }

    /// One request with `Connection: close`, returning the parsed response.
    public static func request(
        port: UInt16, method: String, path: String, headers: [String: String] = [:], body: [UInt8] = []
    ) throws -> Response {
        let client = try SocketHTTPClient(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        do {
            try client.send(Array((head + "\r\n").utf8) + body)
        } catch {
            // A server may answer early (413) and close before the body is sent: read that answer.
        }
        return try client.readResponse()
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = data.indices.first(where: { data[$0...].starts(with: separator) }) else {
            throw Failure(description: "malformed response: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let lines = String(decoding: data[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "bad status line \(lines[0])") }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(data[(headEnd + 4)...])
        if headers["Transfer-Encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < data.count {
            guard let lineEnd = data[index...].firstIndex(of: 13) else { break }
            let sizeText = String(decoding: data[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            output.append(contentsOf: data[start..<min(data.count, start + size)])
            index = start + size + 2
        }
        return output
    }
}

extension HTTPServer {
    /// Waits (up to `timeout` seconds) until the server counts `count` open connections, and
    /// returns the count it has then: the daemon threads accept and close asynchronously.
    public func waitForOpenConnections(_ count: Int, timeout: TimeInterval = 30) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while openConnections != count && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return openConnections
    }
}
