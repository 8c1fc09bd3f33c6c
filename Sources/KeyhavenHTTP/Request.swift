/// One HTTP request with its whole body, as handed to the responder.
public struct Request: Sendable {
    public var method: String
    /// The path without the query string, percent-decoded by the server (`/passwords/abc`).
    public var path: String
    public var query: [String: String]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The address of the TCP peer (a proxy, when there is one).
    public var peerAddress: String
    /// Set by the server when it refused the request before a handler could see it
    /// (body too large); the responder answers with this error through the usual path.
    public var transportError: HTTPError?

    public init(
        method: String, path: String, query: [String: String] = [:], headers: HTTPHeaders = [:],
        body: [UInt8] = [], peerAddress: String = "127.0.0.1", transportError: HTTPError? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.peerAddress = peerAddress
        self.transportError = transportError
    }
}
