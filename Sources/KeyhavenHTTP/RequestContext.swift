import Foundation

/// What the responder knows about a request besides the request itself.
public struct RequestContext: Sendable {
    /// Echoed from a sane client `X-Request-Id`, otherwise generated; in every response and log line.
    public let requestID: String
    /// The client's address: the TCP peer, or the `X-Forwarded-For` entry a trusted proxy vouches for.
    public let clientAddress: String
    /// The matched route pattern (`/passwords/{id}`), used for metrics and logs instead of the raw path.
    public internal(set) var route: String
    /// Path parameters by name.
    public internal(set) var parameters: [String: String]
    public let startedAt: ContinuousClock.Instant

    public init(requestID: String, clientAddress: String, route: String = "unmatched", parameters: [String: String] = [:]) {
        self.requestID = requestID
        self.clientAddress = clientAddress
        self.route = route
        self.parameters = parameters
        self.startedAt = .now
    }

    /// A path parameter the route pattern guarantees; 404 if it is somehow missing.
    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw HTTPError.notFound() }
        return value
    }
}
