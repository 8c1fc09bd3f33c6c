import CMicroHTTPD
import Foundation

/// The listening socket and the thread that accepts from it.
///
/// libmicrohttpd's pool threads would otherwise all poll one listen socket, and whichever wakes
/// first accepts up to ten connections in a row: a burst of keep-alive connections can land on a
/// single thread and leave the other cores idle for the life of those connections (measured in
/// `make bench`: a whole run served by one of four threads, at about 55% of the throughput of an
/// even spread). Here one thread accepts and hands every socket to `MHD_add_connection`, which
/// assigns it to a pool thread by descriptor number: an even spread. The daemon's connection
/// limits (total and per address) still apply to sockets added this way.
final class Listener: @unchecked Sendable {  // `descriptor` is closed once, after the thread ends
    let port: UInt16
    private let descriptor: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let stopping = NSLock()
    private var stopped = false

    init(address: SocketAddress, backlog: Int32 = 1024) throws {
        let result = address.withSockaddr { keyhaven_listen($0, address.length, backlog) }
        guard result >= 0 else {
            throw HTTPServer.StartError.startFailed("cannot listen on \(address): \(String(cString: strerror(-result)))")
        }
        descriptor = result
        port = keyhaven_socket_port(result)
    }

    /// Starts accepting into `daemon` (an opaque `MHD_Daemon *`, passed as an address so the
    /// closure stays Sendable). `stop()` must run before the daemon is stopped.
    func start(daemon: UInt) {
        let descriptor = descriptor
        let finished = finished
        let thread = Thread {
            defer { finished.signal() }
            while true {
                let error = keyhaven_accept_into(descriptor, OpaquePointer(bitPattern: daemon))
                switch error {
                case 0, EINTR, ECONNABORTED, EAGAIN, EPROTO, EPERM: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: back off instead of spinning; clients wait in the backlog.
                    usleep(10_000)
                default: return  // EINVAL after shutdown(2): the listener is closing
                }
            }
        }
        thread.name = "keyhaven-accept"
        thread.start()
    }

    /// Stops accepting (connections already handed over are unaffected), waits for the accept
    /// thread to end, and closes the socket. Safe to call more than once.
    func stop(started: Bool) {
        stopping.lock()
        defer { stopping.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(descriptor, Int32(SHUT_RDWR))  // wakes a blocked accept(2) with EINVAL
        if started { finished.wait() }
        close(descriptor)
    }
}
