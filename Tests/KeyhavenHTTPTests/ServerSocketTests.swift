import Foundation
import KeyhavenHTTP
import KeyhavenLocking
import KeyhavenTestSupport
import Testing

/// The real libmicrohttpd server over real sockets.
@Suite(.serialized)
struct ServerSocketTests {
    private func startServer(threads: Int = 2, tls: HTTPServer.TLSMaterial? = nil) throws -> HTTPServer {
        try HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0, threadCount: threads, tls: tls, idleTimeoutSeconds: 30),
            responder: Fixtures.responder())
    }

    @Test func servesOnAnEphemeralPort() throws {
        let server = try startServer()
        defer { server.shutdown() }
        #expect(server.port != 0)
        let response = try SocketHTTPClient.request(port: server.port, method: "GET", path: "/items/42?x=1", headers: ["X-Request-Id": "sock-1"])
        #expect(response.status == 200)
        #expect(try response.decode([String: String].self) == ["id": "42"])
        #expect(response.headers["X-Request-Id"] == "sock-1")
        #expect(response.headers["Server"] == nil)
    }

    @Test func problemsOverTheWire() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let notFound = try SocketHTTPClient.request(port: server.port, method: "GET", path: "/nope")
        #expect(notFound.status == 404)
        #expect(notFound.headers["Content-Type"] == "application/problem+json")
        #expect(notFound.headers["X-Request-Id"] != nil)

        let malformed = try SocketHTTPClient.request(
            port: server.port, method: "POST", path: "/greet", headers: ["Content-Type": "application/json"], body: Array("{oops".utf8))
        #expect(malformed.status == 400)
        #expect(malformed.headers["X-Request-Id"] != nil)

        let notAllowed = try SocketHTTPClient.request(port: server.port, method: "PATCH", path: "/hello")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.headers["Allow"] == "GET, HEAD")
    }

    @Test func oversizedBodyIs413WithContentLengthOrChunked() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let big = [UInt8](repeating: 0x61, count: 2 << 20)
        let declared = try SocketHTTPClient.request(
            port: server.port, method: "POST", path: "/greet", headers: ["Content-Type": "application/json"], body: big)
        #expect(declared.status == 413)
        #expect(try declared.decode(Fixtures.Problem.self).code == "payload_too_large")
        #expect(declared.headers["X-Request-Id"] != nil)

        // Chunked: no length announced, the limit is enforced while reading.
        let client = try SocketHTTPClient(port: server.port)
        var request = Array(
            "POST /greet HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let chunk = [UInt8](repeating: 0x61, count: 256 * 1024)
        for _ in 0..<6 { request += Array("40000\r\n".utf8) + chunk + Array("\r\n".utf8) }
        request += Array("0\r\n\r\n".utf8)
        _ = try? client.send(request)  // the server may answer 413 and close before all is sent
        #expect(try client.readResponse().status == 413)
    }

    @Test func oversizedHeadersAreRefused() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let response = try SocketHTTPClient.request(
            port: server.port, method: "GET", path: "/hello", headers: ["X-Padding": String(repeating: "p", count: 100_000)])
        #expect(response.status == 431 || response.status == 413)
    }

    /// Eight clients trickle header bytes at one per second into a server with two threads; normal
    /// requests must still be answered, because a slow client holds a socket, not a thread.
    @Test func slowClientsDoNotBlockOthers() throws {
        let server = try startServer(threads: 2)
        defer { server.shutdown(gracePeriod: .zero) }
        let slowClients = try (0..<8).map { _ in try SocketHTTPClient(port: server.port) }
        let stop = Locked(false)
        let trickle = Thread {
            let bytes = Array("GET /hello HTTP/1.1\r\nHost: slow\r\nX-Slow: ".utf8)
            var index = 0
            while !stop.value {
                for client in slowClients { try? client.send([bytes[index % bytes.count]]) }
                index += 1
                Thread.sleep(forTimeInterval: 1)
            }
        }
        trickle.start()
        defer { stop.value = true }
        Thread.sleep(forTimeInterval: 1.5)  // every slow client has started its request
        for _ in 0..<20 {
            let response = try SocketHTTPClient.request(port: server.port, method: "GET", path: "/hello")
            #expect(response.status == 200)
        }
    }

    /// The per-address and total connection limits: the connection over the limit is closed
    /// without an answer, and the server still shuts down cleanly afterwards. The limits are the
    /// whole server's, although each daemon thread accepts on its own socket.
    @Test func connectionLimitsHoldAcrossTheListeningThreads() throws {
        for limits in [(total: 100, perAddress: 2), (total: 2, perAddress: 100)] {
            let server = try HTTPServer(
                configuration: .init(
                    host: "127.0.0.1", port: 0, threadCount: 4, connectionLimit: limits.total, connectionsPerAddressLimit: limits.perAddress),
                responder: Fixtures.responder())
            defer { server.shutdown(gracePeriod: .zero) }
            let held = try (0..<2).map { _ in try SocketHTTPClient(port: server.port) }
            #expect(server.waitForOpenConnections(2) == 2)  // both accepted and counted
            let refused = try SocketHTTPClient(port: server.port, timeout: 5)
            try? refused.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(throws: (any Error).self) { try refused.readResponse() }
            #expect(server.refusedConnections == 1)
            for client in held {
                try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
    }

    /// Another Keyhaven's listeners share their port (SO_REUSEPORT), so binding alone would let a
    /// second server on the same port start and take a share of the connections.
    @Test func aPortInUseIsAStartError() throws {
        let server = try startServer()
        defer { server.shutdown() }
        #expect(throws: HTTPServer.StartError.self) {
            try HTTPServer(configuration: .init(host: "127.0.0.1", port: server.port), responder: Fixtures.responder())
        }
    }

    /// IPv6: the listeners share an IPv6 port too, and a busy IPv6 port is refused the same way.
    @Test(.enabled(if: ipv6LoopbackAvailable, "this machine has no ::1"))
    func servesOverIPv6() throws {
        let server = try HTTPServer(configuration: .init(host: "::1", port: 0, threadCount: 2), responder: Fixtures.responder())
        defer { server.shutdown() }
        let (status, output) = try curl(["-sS", "-g", "-o", "/dev/null", "-w", "%{http_code}", "http://[::1]:\(server.port)/hello"])
        #expect(status == 0)
        #expect(output == "200")
        #expect(throws: HTTPServer.StartError.self) {
            try HTTPServer(configuration: .init(host: "[::1]", port: server.port), responder: Fixtures.responder())
        }
    }

    /// A burst of connections spreads over the daemon threads (the kernel hashes each connection
    /// to one of the listening sockets) instead of piling onto whichever thread woke first, and
    /// the server counts them all, whichever thread accepted and closed them.
    @Test func connectionsSpreadOverTheThreads() throws {
        let server = try startServer(threads: 4)
        defer { server.shutdown() }
        let clients = try (0..<32).map { _ in try SocketHTTPClient(port: server.port) }
        #expect(server.waitForOpenConnections(32) == 32)
        var threads = Set<String>()
        for client in clients {
            try client.send("GET /thread HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            threads.insert(try client.readResponse().decode([String: String].self)["thread"] ?? "")
        }
        // 32 connections over 4 sockets: all on two or fewer happens about once in 10^9 runs.
        #expect(threads.count >= 3)
        #expect(server.waitForOpenConnections(0) == 0)
    }

    @Test func shutdownLetsRequestsInFlightFinish() throws {
        let server = try startServer()
        let result = Locked<Int>(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let status = (try? SocketHTTPClient.request(port: server.port, method: "GET", path: "/slow").status) ?? -1
            result.value = status
            done.signal()
        }.start()
        while server.requestsInFlight == 0 { Thread.sleep(forTimeInterval: 0.01) }
        server.shutdown(gracePeriod: .seconds(10))
        done.wait()
        #expect(result.value == 200)
        // And the listening socket is gone.
        #expect(throws: SocketHTTPClient.Failure.self) { try SocketHTTPClient(port: server.port) }
    }

    @Test func servesHTTPSWithModernTLSOnly() throws {
        let directory = NSTemporaryDirectory() + "kh-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try makeCertificate(in: directory)
        let server = try startServer(tls: .init(certificatePEM: certificate, privateKeyPEM: key))
        defer { server.shutdown() }
        let url = "https://127.0.0.1:\(server.port)/hello"
        let ok = try curl(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}", "--cacert", directory + "/cert.pem", url])
        #expect(ok.status == 0)
        #expect(ok.output.hasPrefix("200 0"))  // 200, and the certificate verified for 127.0.0.1
        let old = try curl(["-sS", "-k", "--tlsv1.1", "--tls-max", "1.1", "-o", "/dev/null", url])
        #expect(old.status != 0)
    }

    private func makeCertificate(in directory: String) throws -> (String, String) {
        let result = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
            ])
        #expect(result.status == 0)
        return (
            try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8), try String(contentsOfFile: directory + "/key.pem", encoding: .utf8)
        )
    }

    private func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runProcess("/usr/bin/curl", ["--max-time", "10"] + arguments)
    }
}

/// CPU-intensive routes run on the work pool with their connection suspended.
@Suite(.serialized)
struct WorkPoolSocketTests {
    /// The pool job waits until a plain request has been answered by the server's only connection
    /// thread. If the pool job held that thread, the plain request could never be answered and
    /// this test would fail on the socket timeout: no clock is involved otherwise.
    @Test func connectionThreadStaysFreeWhileThePoolWorks() throws {
        let gate = DispatchSemaphore(value: 0)
        var router = Router()
        router.post("/heavy", cpuIntensive: true) { _, _ in
            gate.wait()
            return try Response.json(["heavy": "done"])
        }
        router.get("/light") { _, _ in try Response.json(["light": "done"]) }
        let pool = WorkPool(threadCount: 1)
        defer { pool.stop() }
        let server = try HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0, threadCount: 1),
            responder: Responder(router: router, options: .init(httpsEnabled: false)),
            workPool: pool)
        defer { server.shutdown() }
        let heavyStatus = Locked<Int>(0)
        let heavyDone = DispatchSemaphore(value: 0)
        Thread {
            heavyStatus.value = (try? SocketHTTPClient.request(port: server.port, method: "POST", path: "/heavy").status) ?? -1
            heavyDone.signal()
        }.start()
        while server.requestsInFlight == 0 { Thread.sleep(forTimeInterval: 0.01) }
        let light = try SocketHTTPClient.request(port: server.port, method: "GET", path: "/light")
        #expect(light.status == 200)
        gate.signal()
        heavyDone.wait()
        #expect(heavyStatus.value == 200)
    }

    @Test func aFullPoolAnswers503() throws {
        let gate = DispatchSemaphore(value: 0)
        var router = Router()
        router.post("/heavy", cpuIntensive: true) { _, _ in
            gate.wait()
            return .noContent
        }
        let pool = WorkPool(threadCount: 1, queueLimit: 0)
        defer { pool.stop() }
        let server = try HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0, threadCount: 2),
            responder: Responder(router: router, options: .init(httpsEnabled: false)),
            workPool: pool)
        defer { server.shutdown() }
        let response = try SocketHTTPClient.request(port: server.port, method: "POST", path: "/heavy")
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "1")
        gate.signal()
    }
}

/// Whether a socket can bind the IPv6 loopback address here (containers may have IPv6 off).
private let ipv6LoopbackAvailable: Bool = {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
    }
}()
