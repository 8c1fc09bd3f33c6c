import Foundation
import Synchronization

/// Turns a `Request` into a `Response`: routing, middleware, the single place where errors become
/// problem+json, and the headers every response carries. The server and the test client both
/// call `respond(to:)`, so in-process tests exercise exactly what a socket would.
public struct Responder: Sendable {
    public struct Options: Sendable {
        /// Adds `Strict-Transport-Security` (only meaningful when clients reach us over HTTPS).
        public var httpsEnabled: Bool
        /// Peers whose `X-Forwarded-For` is believed.
        public var trustedProxies: [IPAddressRange]

        public init(httpsEnabled: Bool, trustedProxies: [IPAddressRange] = []) {
            self.httpsEnabled = httpsEnabled
            self.trustedProxies = trustedProxies
        }
    }

    private let router: Router
    private let middleware: [any Middleware]
    private let observer: (any RequestObserver)?
    private let options: Options

    public init(router: Router, middleware: [any Middleware] = [], observer: (any RequestObserver)? = nil, options: Options) {
        self.router = router
        self.middleware = middleware
        self.observer = observer
        self.options = options
    }

    /// The routing decision for a request, made once: the server looks at it to choose a thread
    /// and hands it back to `respond(to:resolution:)`.
    public struct Resolution: Sendable {
        fileprivate let match: Router.Match

        /// Whether a CPU-intensive route will handle the request (the server then runs it on its work pool).
        public var isCPUIntensive: Bool {
            if case .found(let route, _) = match { return route.isCPUIntensive }
            return false
        }

        /// The route's own body limit, when it overrides the server's.
        public var maximumBodyBytes: Int? {
            if case .found(let route, _) = match { return route.maximumBodyBytes }
            return nil
        }

        /// For a request refused before routing (its `transportError` answers it).
        public static let unrouted = Resolution(match: .notFound)
    }

    /// Routes a request line; the server does this once, as soon as the headers are in.
    public func resolve(method: String, path: String) -> Resolution {
        Resolution(match: router.match(method: method, path: path))
    }

    public func resolve(_ request: Request) -> Resolution {
        request.transportError == nil ? resolve(method: request.method, path: request.path) : .unrouted
    }

    public func respond(to request: Request) -> Response {
        respond(to: request, resolution: resolve(request))
    }

    public func respond(to request: Request, resolution: Resolution) -> Response {
        observer?.requestStarted()
        var context = RequestContext(requestID: Self.requestID(for: request), clientAddress: clientAddress(for: request))
        var failure: String?
        var response: Response
        do {
            response = try route(request, match: resolution.match, context: &context)
        } catch let error as HTTPError {
            response = error.problemResponse(requestID: context.requestID)
        } catch let error as any HTTPErrorConvertible {
            response = error.httpError.problemResponse(requestID: context.requestID)
        } catch {
            failure = String(describing: error)
            response = HTTPError.internalError(requestID: context.requestID).problemResponse(requestID: context.requestID)
        }
        addCommonHeaders(to: &response, context: context)
        if request.method == "HEAD" { response.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count)) }
        observer?.requestFinished(
            request: request, context: context, response: response, duration: .now - context.startedAt, failure: failure)
        return response
    }

    private func route(_ request: Request, match: Router.Match, context: inout RequestContext) throws -> Response {
        if let transportError = request.transportError { throw transportError }
        switch match {
        case .notFound:
            throw HTTPError.notFound()
        case .methodNotAllowed(let allowed):
            throw HTTPError.methodNotAllowed(allowed: allowed)
        case .found(let route, let parameters):
            context.route = route.pattern
            context.parameters = parameters
            return try Self.run(middleware[...], request: request, context: context, handler: route.handler)
        }
    }

    private static func run(
        _ chain: ArraySlice<any Middleware>, request: Request, context: RequestContext, handler: Handler
    ) throws -> Response {
        guard let first = chain.first else { return try handler(request, context) }
        return try first.handle(request, context: context) { request, context in
            try run(chain.dropFirst(), request: request, context: context, handler: handler)
        }
    }

    private func addCommonHeaders(to response: inout Response, context: RequestContext) {
        // One pass over the handler's headers instead of a scan per common header.
        var present = [Bool](repeating: false, count: Self.defaultHeaders.count)
        var replaced: [String] = ["X-Request-Id", "X-Content-Type-Options"]
        if options.httpsEnabled { replaced.append("Strict-Transport-Security") }
        let defaults = Self.defaultHeaders
        for field in response.headers {
            if replaced.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) {
                response.headers.remove(name: field.name)
            } else if let known = defaults.firstIndex(where: { HTTPHeaders.namesMatch($0.name, field.name) }) {
                present[known] = true
            }
        }
        response.headers.add(name: "X-Request-Id", value: context.requestID)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        for (index, field) in defaults.enumerated() where !present[index] { response.headers.add(name: field.name, value: field.value) }
        if options.httpsEnabled {
            response.headers.add(name: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains")
        }
    }

    /// Added unless the handler set its own.
    private static let defaultHeaders: [(name: String, value: String)] = [
        ("Cache-Control", "no-store"), ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"), ("Referrer-Policy", "no-referrer"),
    ]

    /// A client's `X-Request-Id` is kept if it is 1–128 characters of `[A-Za-z0-9._:-]`
    /// (nothing that could forge a log line); otherwise a fresh random id is made.
    static func requestID(for request: Request) -> String {
        if let supplied = request.headers["X-Request-Id"], (1...128).contains(supplied.utf8.count),
            supplied.utf8.allSatisfy({ isRequestIDCharacter($0) })
        {
            return supplied
        }
        // 128 bits from a per-process random SipHash key (Swift's Hasher seed) over a counter:
        // unpredictable to clients, unique within the process, and no system call per request
        // (glibc's arc4random_buf made one each time).
        let counter = requestCounter.add(1, ordering: .relaxed).newValue
        var hex = [UInt8](repeating: 0, count: 32)
        for half in 0..<2 {
            var hasher = Hasher()
            hasher.combine(half)
            hasher.combine(counter)
            var word = UInt64(truncatingIfNeeded: hasher.finalize())
            for index in stride(from: half * 16 + 15, through: half * 16, by: -1) {
                hex[index] = hexDigits[Int(word & 0x0f)]
                word >>= 4
            }
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let requestCounter = Atomic<UInt64>(0)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func isRequestIDCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// The client address: walk `X-Forwarded-For` from the right while the hop is a trusted proxy;
    /// the first untrusted hop is the client. Untrusted peers' headers are ignored entirely.
    func clientAddress(for request: Request) -> String {
        var address = request.peerAddress
        guard isTrusted(address), let forwarded = request.headers["X-Forwarded-For"] else { return address }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPAddressRange.parse(hop) != nil else { break }
            address = hop
            if !isTrusted(hop) { break }
        }
        return address
    }

    private func isTrusted(_ address: String) -> Bool {
        options.trustedProxies.contains { $0.contains(address) }
    }
}
