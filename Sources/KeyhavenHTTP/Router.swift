/// A request handler. Handlers run synchronously on a server thread (see DESIGN.md).
public typealias Handler = @Sendable (Request, RequestContext) throws -> Response

/// Maps method + path pattern to handlers. Patterns are literal segments and `{name}` parameters;
/// when several patterns match, the one with the most literal segments wins
/// (`/passwords/health` before `/passwords/{id}`).
public struct Router: Sendable {
    struct Route: Sendable {
        var method: String
        var pattern: String
        var segments: [Segment]
        var handler: Handler
        var isCPUIntensive: Bool
        var maximumBodyBytes: Int?
        var literalCount: Int { segments.filter { if case .literal = $0 { true } else { false } }.count }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private(set) var routes: [Route] = []

    public init() {}

    /// Registers a handler. `cpuIntensive` handlers (password hashing) run on the server's
    /// `WorkPool` instead of a connection thread.
    /// `maximumBodyBytes` raises (or lowers) the server's body limit for this route (an import).
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, cpuIntensive: Bool = false, maximumBodyBytes: Int? = nil, handler: @escaping Handler
    ) {
        let segments = Self.split(pattern).map { segment -> Segment in
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                return .parameter(String(segment.dropFirst().dropLast()))
            }
            return .literal(String(segment))
        }
        precondition(
            !routes.contains { $0.method == method.rawValue && $0.segments == segments },
            "route \(method.rawValue) \(pattern) registered twice")
        routes.append(
            Route(
                method: method.rawValue, pattern: pattern, segments: segments, handler: handler, isCPUIntensive: cpuIntensive,
                maximumBodyBytes: maximumBodyBytes))
    }

    public mutating func get(_ pattern: String, handler: @escaping Handler) { add(.get, pattern, handler: handler) }
    public mutating func post(_ pattern: String, cpuIntensive: Bool = false, maximumBodyBytes: Int? = nil, handler: @escaping Handler) {
        add(.post, pattern, cpuIntensive: cpuIntensive, maximumBodyBytes: maximumBodyBytes, handler: handler)
    }
    public mutating func put(_ pattern: String, cpuIntensive: Bool = false, handler: @escaping Handler) {
        add(.put, pattern, cpuIntensive: cpuIntensive, handler: handler)
    }
    public mutating func patch(_ pattern: String, handler: @escaping Handler) { add(.patch, pattern, handler: handler) }
    public mutating func delete(_ pattern: String, cpuIntensive: Bool = false, handler: @escaping Handler) {
        add(.delete, pattern, cpuIntensive: cpuIntensive, handler: handler)
    }

    /// Every registered (method, pattern), for documentation checks.
    public var registeredRoutes: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    func match(method: String, path: String) -> Match {
        let pathSegments = Self.split(path)
        var candidates: [(Route, [String: String])] = []
        for route in routes {
            if let parameters = Self.bind(route.segments, to: pathSegments) {
                candidates.append((route, parameters))
            }
        }
        guard !candidates.isEmpty else { return .notFound }
        // HEAD is served by the GET handler when there is no HEAD route.
        let wanted = method == "HEAD" && !candidates.contains { $0.0.method == "HEAD" } ? "GET" : method
        let best = candidates.filter { $0.0.method == wanted }.max { $0.0.literalCount < $1.0.literalCount }
        if let (route, parameters) = best { return .found(route, parameters: parameters) }
        var allowed = Set(candidates.map(\.0.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allowed: allowed.sorted())
    }

    private static func bind(_ segments: [Segment], to path: [Substring]) -> [String: String]? {
        guard segments.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal): guard literal == value else { return nil }
            case .parameter(let name): parameters[name] = String(value)
            }
        }
        return parameters
    }

    private static func split(_ path: String) -> [Substring] {
        // "/a/b" → ["a", "b"]; "/" → []; "/a/" keeps its empty last segment so it does not match "/a".
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        return trimmed.isEmpty ? [] : trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }
}
