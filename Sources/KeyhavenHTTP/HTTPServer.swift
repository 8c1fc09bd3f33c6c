import CMicroHTTPD
import Foundation
import KeyhavenLocking
import Synchronization

/// The HTTP/1.1 (+TLS) server over GNU libmicrohttpd.
///
/// The server is `threadCount` libmicrohttpd daemons, each one thread with its own epoll set and
/// its own listening socket, all bound to one port with SO_REUSEPORT, so the kernel spreads new
/// connections across them. (One daemon with a thread pool lets whichever pool thread wakes first
/// accept a burst of connections; a burst then lands on one thread and the server runs on one
/// core.) libmicrohttpd parses requests itself; a slow client occupies a socket, not a thread.
/// Handlers run synchronously on the daemon threads (DESIGN.md's request model). Limits: body size
/// (413), header memory (libmicrohttpd answers 431), connection count and connections per IP
/// (counted across all the daemons), idle timeout.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; read the real one from `port` after start.
        public var port: UInt16
        /// Connection threads: one libmicrohttpd daemon, with its own listening socket, each.
        public var threadCount: Int
        public var tls: TLSMaterial?
        public var maximumBodyBytes: Int
        /// Open connections the whole server accepts; past it new connections are closed at once.
        public var connectionLimit: Int
        public var connectionsPerAddressLimit: Int
        /// A connection idle this long (no bytes either way) is closed.
        public var idleTimeoutSeconds: Int
        /// Per-connection buffer for the request line and headers; larger headers get 431.
        public var connectionMemoryLimitBytes: Int

        public init(
            host: String = "127.0.0.1", port: UInt16 = 8443,
            threadCount: Int? = nil, tls: TLSMaterial? = nil,
            maximumBodyBytes: Int = 1 << 20, connectionLimit: Int = 1000, connectionsPerAddressLimit: Int = 200,
            idleTimeoutSeconds: Int = 30, connectionMemoryLimitBytes: Int = 32 * 1024
        ) {
            self.host = host
            self.port = port
            // Handlers block on the database, so two threads per core keep the CPUs busy while one
            // waits; more only added context switches in `make bench`.
            self.threadCount = threadCount ?? max(4, ProcessInfo.processInfo.activeProcessorCount * 2)
            self.tls = tls
            self.maximumBodyBytes = maximumBodyBytes
            self.connectionLimit = connectionLimit
            self.connectionsPerAddressLimit = connectionsPerAddressLimit
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.connectionMemoryLimitBytes = connectionMemoryLimitBytes
        }
    }

    /// A PEM certificate chain and private key.
    public struct TLSMaterial: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String
        public init(certificatePEM: String, privateKeyPEM: String) {
            self.certificatePEM = certificatePEM
            self.privateKeyPEM = privateKeyPEM
        }
    }

    public enum StartError: Error, CustomStringConvertible {
        case invalidHost(String)
        case startFailed(String)
        public var description: String {
            switch self {
            case .invalidHost(let host): "cannot listen on \(host): not an IP address"
            case .startFailed(let reason): reason
            }
        }
    }

    /// The port actually bound.
    public let port: UInt16
    private let state: Locked<DaemonState>
    private let context: ServerContext

    private struct DaemonState: @unchecked Sendable {  // the pointers are only touched under the lock
        var daemons: [OpaquePointer]
        var cStrings: [UnsafeMutablePointer<CChar>]
    }

    /// `workPool` runs the routes marked CPU-intensive: their connection is suspended while the
    /// pool works, so the connection threads keep serving everything else.
    public init(configuration: Configuration, responder: Responder, workPool: WorkPool? = nil) throws {
        let context = ServerContext(
            responder: responder, maximumBodyBytes: configuration.maximumBodyBytes, workPool: workPool,
            connections: ConnectionLedger(total: configuration.connectionLimit, perAddress: configuration.connectionsPerAddressLimit))
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ITC.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        let listeners = max(1, configuration.threadCount)
        var options: [MHD_OptionItem] = [
            // SO_REUSEPORT: every daemon listens on the same port.
            MHD_OptionItem(option: .LISTENING_ADDRESS_REUSE, value: 1, ptr_value: nil),
            // The ledger enforces the limits for the whole server (in `admitConnection`), closing
            // a connection past them at once. libmicrohttpd's own per-daemon limits are a backstop
            // set just above what the ledger lets through, so they never bind first (at its limit
            // a daemon stops accepting, and clients would wait in the backlog instead).
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: configuration.connectionLimit + listeners, ptr_value: nil),
            MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: configuration.connectionsPerAddressLimit + listeners, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: configuration.idleTimeoutSeconds, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: configuration.connectionMemoryLimitBytes, ptr_value: nil),
            MHD_OptionItem(option: .NOTIFY_COMPLETED, value: unsafeBitCast(requestCompleted, to: Int.self), ptr_value: nil),
            MHD_OptionItem(option: .NOTIFY_CONNECTION, value: unsafeBitCast(connectionChanged, to: Int.self), ptr_value: contextPointer),
        ]
        var cStrings: [UnsafeMutablePointer<CChar>] = []
        if let tls = configuration.tls {
            flags |= MHD_USE_TLS.rawValue
            let key = strdup(tls.privateKeyPEM)!
            let certificate = strdup(tls.certificatePEM)!
            // TLS 1.2+ with AEAD ciphers only (GnuTLS priority string).
            let priorities = strdup("SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305")!
            cStrings += [key, certificate, priorities]
            options.append(MHD_OptionItem(option: .HTTPS_MEM_KEY, value: 0, ptr_value: UnsafeMutableRawPointer(key)))
            options.append(MHD_OptionItem(option: .HTTPS_MEM_CERT, value: 0, ptr_value: UnsafeMutableRawPointer(certificate)))
            options.append(MHD_OptionItem(option: .HTTPS_PRIORITIES, value: 0, ptr_value: UnsafeMutableRawPointer(priorities)))
        }
        let requested = try SocketAddress(host: configuration.host, port: configuration.port)
        if requested.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let unavailable = StartError.startFailed(
            "cannot listen on \(configuration.host):\(configuration.port) (address in use, or the TLS certificate/key is invalid)")
        // A port someone already listens on is an error, even when that someone is another
        // Keyhaven whose sockets would accept ours into their SO_REUSEPORT group.
        if configuration.port != 0, requested.withSockaddr({ keyhaven_probe_listen_address($0, requested.length) }) != 0 {
            cStrings.forEach { free($0) }
            throw unavailable
        }
        var daemons: [OpaquePointer] = []
        var port = configuration.port
        for _ in 0..<listeners {
            // Port 0 binds a free port once; the other daemons join that one.
            let address = requested.with(port: port)
            let daemon: OpaquePointer? = address.withSockaddr { sockaddr in
                var daemonOptions = options
                daemonOptions.append(MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(mutating: sockaddr)))
                daemonOptions.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
                return daemonOptions.withUnsafeBufferPointer {
                    keyhaven_mhd_start(flags, port, admitConnection, contextPointer, accessHandler, contextPointer, $0.baseAddress)
                }
            }
            guard let daemon else {
                daemons.forEach { MHD_stop_daemon($0) }
                cStrings.forEach { free($0) }
                throw unavailable
            }
            if port == 0 { port = keyhaven_mhd_bound_port(daemon) }
            daemons.append(daemon)
        }
        // The daemons hold `context` unretained; it lives as long as `self`, which stops them.
        self.context = context
        self.port = port
        self.state = Locked(DaemonState(daemons: daemons, cStrings: cStrings))
    }

    /// Requests whose response has not been completely sent yet.
    public var requestsInFlight: Int { context.inFlight.load(ordering: .relaxed) }

    /// Open connections, across every daemon.
    public var openConnections: Int { context.connections.total }

    /// Connections closed at once since start because a connection limit was reached.
    public var refusedConnections: Int { context.connections.refused }

    /// Stops accepting connections, lets requests in flight finish (up to `gracePeriod`), then
    /// closes every connection. Safe to call more than once.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        let quiescedSockets: [MHD_socket] = state.withLock { state in state.daemons.map { MHD_quiesce_daemon($0) } }
        let deadline = ContinuousClock.now + gracePeriod
        while requestsInFlight > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        state.withLock { state in
            state.daemons.forEach { MHD_stop_daemon($0) }
            state.daemons = []
            state.cStrings.forEach { free($0) }
            state.cStrings = []
        }
        for socket in quiescedSockets where socket >= 0 { close(socket) }
    }

    deinit { shutdown(gracePeriod: .zero) }
}

/// Per-server state reached from C callbacks through the `void *` context.
final class ServerContext: Sendable {
    let responder: Responder
    let maximumBodyBytes: Int
    let workPool: WorkPool?
    let connections: ConnectionLedger
    let inFlight = Atomic<Int>(0)

    init(responder: Responder, maximumBodyBytes: Int, workPool: WorkPool?, connections: ConnectionLedger) {
        self.responder = responder
        self.maximumBodyBytes = maximumBodyBytes
        self.workPool = workPool
        self.connections = connections
    }
}

/// Open connections of the whole server, in total and per peer address, so that the limits hold
/// however the kernel spreads connections over the daemons. A connection is admitted when its
/// daemon accepts it and counted once libmicrohttpd has set it up; two daemons admitting at the
/// same instant can therefore pass a limit by at most `threadCount - 1`.
final class ConnectionLedger: Sendable {
    struct Peer: Hashable {
        var high: UInt64
        var low: UInt64

        init?(_ address: UnsafePointer<sockaddr>?) {
            var high: UInt64 = 0
            var low: UInt64 = 0
            guard keyhaven_peer_key(address, &high, &low) == 0 else { return nil }
            self.high = high
            self.low = low
        }
    }

    private struct Counts {
        var total = 0
        var perPeer: [Peer: Int] = [:]
        /// Connections refused since start.
        var refused = 0
    }

    let totalLimit: Int
    let perPeerLimit: Int
    private let counts = Locked(Counts())

    init(total: Int, perAddress: Int) {
        totalLimit = total
        perPeerLimit = perAddress
    }

    var total: Int { counts.withLock { $0.total } }
    var refused: Int { counts.withLock { $0.refused } }

    func admits(_ peer: Peer) -> Bool {
        counts.withLock { counts in
            let admitted = counts.total < totalLimit && counts.perPeer[peer, default: 0] < perPeerLimit
            if !admitted { counts.refused += 1 }
            return admitted
        }
    }

    func opened(_ peer: Peer) {
        counts.withLock { counts in
            counts.total += 1
            counts.perPeer[peer, default: 0] += 1
        }
    }

    func closed(_ peer: Peer) {
        counts.withLock { counts in
            counts.total -= 1
            let remaining = counts.perPeer[peer, default: 1] - 1
            counts.perPeer[peer] = remaining > 0 ? remaining : nil
        }
    }
}

/// Per-request state kept in libmicrohttpd's `*req_cls` while the body arrives.
final class RequestState: @unchecked Sendable {
    let server: ServerContext
    /// The routing decision, made when the headers arrived.
    let resolution: Responder.Resolution
    /// The body limit of this request's route (the server's unless the route sets its own).
    let limit: Int
    var body: [UInt8] = []
    var tooLarge = false
    /// Set once the request went to the work pool; the connection is suspended until
    /// `offloadedResponse` is filled in and the connection resumed.
    var offloaded = false
    /// Written by a work-pool thread, read by the connection's thread after the resume.
    let offloadedResponse = Locked<Response?>(nil)

    init(server: ServerContext, resolution: Responder.Resolution) {
        self.server = server
        self.resolution = resolution
        limit = resolution.maximumBodyBytes ?? server.maximumBodyBytes
    }
}

// MARK: - C callbacks (no captures: context arrives through the void * arguments)

/// libmicrohttpd's accept policy: runs on the accepting daemon's thread for every new connection.
private let admitConnection: MHD_AcceptPolicyCallback = { serverContext, address, _ in
    guard let serverContext, let peer = ConnectionLedger.Peer(address) else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(serverContext).takeUnretainedValue()
    return server.connections.admits(peer) ? .YES : .NO
}

/// A connection's socket context is non-nil exactly while the ledger counts it: libmicrohttpd can
/// report a connection closed that it never reported started (when setting it up failed).
private let connectionChanged: MHD_NotifyConnectionCallback = { serverContext, connection, socketContext, change in
    guard let serverContext, let connection, let socketContext,
        let peer = ConnectionLedger.Peer(keyhaven_mhd_client_sockaddr(connection))
    else { return }
    let server = Unmanaged<ServerContext>.fromOpaque(serverContext).takeUnretainedValue()
    switch change {
    case .CONNECTION_NOTIFY_STARTED where socketContext.pointee == nil:
        server.connections.opened(peer)
        socketContext.pointee = serverContext
    case .CONNECTION_NOTIFY_CLOSED where socketContext.pointee != nil:
        server.connections.closed(peer)
        socketContext.pointee = nil
    default:
        break
    }
}

private let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestContext, _ in
    guard let requestContext, let raw = requestContext.pointee else { return }
    let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
    state.server.inFlight.subtract(1, ordering: .relaxed)
    requestContext.pointee = nil
}

private let accessHandler: MHD_AccessHandlerCallback = {
    serverContext, connection, url, method, _, uploadData, uploadDataSize, requestContext in
    guard let serverContext, let connection, let requestContext, let uploadDataSize else { return .NO }
    let server = Unmanaged<ServerContext>.fromOpaque(serverContext).takeUnretainedValue()

    // First call: headers are parsed, the body has not been read.
    guard let raw = requestContext.pointee else {
        server.inFlight.add(1, ordering: .relaxed)
        // Route once, here: the route decides the body limit and, later, the thread.
        let resolution = server.responder.resolve(method: method.map { String(cString: $0) } ?? "GET", path: url.map { String(cString: $0) } ?? "/")
        let state = RequestState(server: server, resolution: resolution)
        requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
        if let declared = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length"),
            let length = Int(String(cString: declared)), length > state.limit
        {
            // Refuse before reading a byte of an oversized body; the connection is then closed.
            state.tooLarge = true
            return respond(connection, server: server, url: url, method: method, state: state)
        }
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()

    // Middle calls: a chunk of body; consume it by zeroing *upload_data_size.
    if uploadDataSize.pointee != 0 {
        let count = uploadDataSize.pointee
        if let uploadData, !state.tooLarge {
            if state.body.count + count > state.limit {
                state.tooLarge = true
                state.body = []
            } else {
                uploadData.withMemoryRebound(to: UInt8.self, capacity: count) {
                    state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
                }
            }
        }
        uploadDataSize.pointee = 0
        return .YES
    }

    // Called again after a resume: the work pool has produced the response.
    if state.offloaded {
        guard let response = state.offloadedResponse.value else { return .YES }
        return queue(response, on: connection)
    }

    // Last call: the whole request is here.
    return respond(connection, server: server, url: url, method: method, state: state)
}

private func respond(
    _ connection: OpaquePointer, server: ServerContext, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
    state: RequestState
) -> MHD_Result {
    let request = makeRequest(connection, url: url, method: method, state: state, server: server)
    let resolution = request.transportError == nil ? state.resolution : .unrouted
    if let pool = server.workPool, resolution.isCPUIntensive {
        state.offloaded = true
        MHD_suspend_connection(connection)
        let connectionAddress = UInt(bitPattern: connection)
        let accepted = pool.submit {
            state.offloadedResponse.value = server.responder.respond(to: request, resolution: resolution)
            MHD_resume_connection(OpaquePointer(bitPattern: connectionAddress))
        }
        if accepted { return .YES }
        MHD_resume_connection(connection)
        state.offloadedResponse.value = server.responder.respond(
            to: Request(
                method: request.method, path: request.path, headers: request.headers, peerAddress: request.peerAddress,
                transportError: HTTPError(
                    status: 503, code: "overloaded", detail: "The server is busy; try again shortly.", headers: ["Retry-After": "1"])))
        return .YES
    }
    return queue(server.responder.respond(to: request, resolution: resolution), on: connection)
}

private func queue(_ response: Response, on connection: OpaquePointer) -> MHD_Result {
    let handle: OpaquePointer? = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let handle else { return .NO }
    defer { MHD_destroy_response(handle) }
    for field in response.headers where !HTTPHeaders.namesMatch(field.name, "Content-Length") {
        _ = MHD_add_response_header(handle, field.name, field.value)
    }
    return MHD_queue_response(connection, UInt32(response.status), handle)
}

private func makeRequest(
    _ connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?, state: RequestState,
    server: ServerContext
) -> Request {
    let collector = ValueCollector()
    withExtendedLifetime(collector) {
        let opaque = Unmanaged.passUnretained(collector).toOpaque()
        collector.target = .headers
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectValue, opaque)
        collector.target = .query
        _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectValue, opaque)
    }
    var peer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    let peerAddress =
        keyhaven_mhd_client_address(connection, &peer, socklen_t(peer.count)) == 0
        ? peer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "unknown"
    return Request(
        method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/",
        query: collector.query, headers: collector.headers, body: state.body, peerAddress: peerAddress,
        transportError: state.tooLarge ? .payloadTooLarge(limit: state.limit) : nil)
}

private final class ValueCollector {
    enum Target { case headers, query }
    var target = Target.headers
    var headers = HTTPHeaders()
    var query: [String: String] = [:]
}

private let collectValue: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return .YES }
    let collector = Unmanaged<ValueCollector>.fromOpaque(context).takeUnretainedValue()
    let name = String(cString: key)
    let text = value.map { String(cString: $0) } ?? ""
    switch collector.target {
    case .headers: collector.headers.add(name: name, value: text)
    case .query: collector.query[name] = text
    }
    return .YES
}
