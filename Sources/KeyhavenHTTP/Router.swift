/// A request handler. Handlers run synchronously on a server thread (see DESIGN.md).
public typealias Handler = @Sendable (Request, RequestContext) throws -> Response

/// Maps method + path pattern to handlers. Patterns are literal segments and `{name}` parameters;
/// when several patterns match, the one with the most literal segments wins
/// (`/passwords/health` before `/passwords/{id}`).
public struct Router: Sendable {
    /// A class, so matching hands out references instead of copying closures and arrays.
    final class Route: Sendable {
        let method: String
        let pattern: String
        let segments: [Segment]
        let handler: Handler
        let isCPUIntensive: Bool
        let maximumBodyBytes: Int?
        let literalCount: Int

        init(method: String, pattern: String, segments: [Segment], handler: @escaping Handler, isCPUIntensive: Bool, maximumBodyBytes: Int?) {
            self.method = method
            self.pattern = pattern
            self.segments = segments
            self.handler = handler
            self.isCPUIntensive = isCPUIntensive
            self.maximumBodyBytes = maximumBodyBytes
            literalCount = segments.filter { if case .literal = $0 { true } else { false } }.count
        }

        /// Whether the literal segments match (the caller checked the segment count).
        func matches(_ path: [Substring]) -> Bool {
            for (segment, value) in zip(segments, path) {
                if case .literal(let literal) = segment, literal != value { return false }
            }
            return true
        }

        func parameters(from path: [Substring]) -> [String: String] {
            var parameters: [String: String] = [:]
            for (segment, value) in zip(segments, path) {
                if case .parameter(let name) = segment { parameters[name] = String(value) }
            }
            return parameters
        }
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
    /// Routes by segment count: a path is only compared with routes of its own length.
    private var routesByLength: [[Route]] = []

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
        let route = Route(
            method: method.rawValue, pattern: pattern, segments: segments, handler: handler, isCPUIntensive: cpuIntensive,
            maximumBodyBytes: maximumBodyBytes)
        routes.append(route)
        while routesByLength.count <= segments.count { routesByLength.append([]) }
        routesByLength[segments.count].append(route)
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
        guard pathSegments.count < routesByLength.count else { return .notFound }
        let candidates = routesByLength[pathSegments.count].filter { $0.matches(pathSegments) }
        guard !candidates.isEmpty else { return .notFound }
        // HEAD is served by the GET handler when there is no HEAD route.
        let wanted = method == "HEAD" && !candidates.contains { $0.method == "HEAD" } ? "GET" : method
        let best = candidates.filter { $0.method == wanted }.max { $0.literalCount < $1.literalCount }
        if let best { return .found(best, parameters: best.parameters(from: pathSegments)) }
        var allowed = Set(candidates.map(\.method))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return .methodNotAllowed(allowed: allowed.sorted())
    }

    private static func split(_ path: String) -> [Substring] {
        // "/a/b" → ["a", "b"]; "/" → []; "/a/" keeps its empty last segment so it does not match "/a".
        // By hand over UTF-8: the generic `split` was a visible share of every request.
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        guard !trimmed.isEmpty else { return [] }
        var segments: [Substring] = []
        segments.reserveCapacity(4)
        var start = trimmed.startIndex
        var index = start
        let utf8 = trimmed.utf8
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                segments.append(trimmed[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        segments.append(trimmed[start...])
        return segments
    }
}
