import Foundation

/// An IPv4 or IPv6 listen address in the form libmicrohttpd's `MHD_OPTION_SOCK_ADDR` takes.
struct SocketAddress {
    private enum Storage {
        case v4(sockaddr_in)
        case v6(sockaddr_in6)
    }
    private let storage: Storage

    var isIPv6: Bool { if case .v6 = storage { true } else { false } }

    var length: socklen_t {
        switch storage {
        case .v4: socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6: socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    init(host: String, port: UInt16) throws {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, bare, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            storage = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, bare, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            storage = .v6(v6)
            return
        }
        throw HTTPServer.StartError.invalidHost(host)
    }

    /// The same address with another port.
    func with(port: UInt16) -> SocketAddress {
        switch storage {
        case .v4(var address):
            address.sin_port = port.bigEndian
            return SocketAddress(storage: .v4(address))
        case .v6(var address):
            address.sin6_port = port.bigEndian
            return SocketAddress(storage: .v6(address))
        }
    }

    private init(storage: Storage) { self.storage = storage }

    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>) -> Result) -> Result {
        switch storage {
        case .v4(var address):
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        case .v6(var address):
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
    }
}
