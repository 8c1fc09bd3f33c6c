import Foundation

/// Drives a `Responder` in-process, without a socket: the same routing, middleware, errors and
/// headers as the real server, for fast tests.
public struct TestClient: Sendable {
    public let responder: Responder
    public var peerAddress: String

    public init(responder: Responder, peerAddress: String = "127.0.0.1") {
        self.responder = responder
        self.peerAddress = peerAddress
    }

    /// Sends a request. `target` may carry a query string (`/passwords?limit=5`).
    @discardableResult
    public func execute(_ method: String, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) -> Response {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts[0].removingPercentEncoding ?? parts[0]
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                query[keyValue[0]] = keyValue.count == 2 ? keyValue[1] : ""
            }
        }
        var response = responder.respond(
            to: Request(method: method, path: path, query: query, headers: headers, body: body, peerAddress: peerAddress))
        if method == "HEAD" { response.body = [] }
        return response
    }

    /// Sends `value` as a JSON body.
    @discardableResult
    public func execute(_ method: String, _ target: String, json value: some Encodable, headers: HTTPHeaders = [:]) throws -> Response {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return execute(method, target, headers: headers, body: Array(try JSONCoding.encoder.encode(value)))
    }
}

extension Response {
    /// Decodes a JSON body (tests and clients).
    public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONCoding.decoder.decode(Value.self, from: Data(body))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
