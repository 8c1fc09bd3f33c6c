import Foundation
import KeyhavenHTTP
import KeyhavenLocking
import Synchronization

/// Prometheus metrics for the HTTP server: request counts by route/method/status, a latency
/// histogram by route, requests in flight. Rendered in the text exposition format (0.0.4).
public final class Metrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct Histogram {
        var bucketCounts = [UInt64](repeating: 0, count: Metrics.latencyBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0

        mutating func record(_ seconds: Double, bucket: Int?) {
            if let bucket { bucketCounts[bucket] += 1 }
            count += 1
            sum += seconds
        }
    }

    private struct State {
        var requests: [RequestKey: UInt64] = [:]
        var latency: [String: Histogram] = [:]
    }

    private let state = Locked(State())
    private let inFlight = Atomic<Int>(0)
    private let connections = Locked<(@Sendable () -> (open: Int, refused: Int))?>(nil)

    public init() {}

    /// Reports `server`'s connections from now on (the one started last, if several are).
    func reportConnections(of server: HTTPServer) {
        connections.withLock { $0 = { [weak server] in (server?.openConnections ?? 0, server?.refusedConnections ?? 0) } }
    }

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }

    func requestFinished(method: String, route: String, status: Int, seconds: Double) {
        inFlight.subtract(1, ordering: .relaxed)
        state.withLock { state in
            state.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            // Updated in place: copying the histogram out and back would copy its array each time.
            let bucket = Self.latencyBuckets.firstIndex { seconds <= $0 }
            state.latency[route, default: Histogram()].record(seconds, bucket: bucket)
        }
    }

    /// The exposition text. `extra` lines (database pool gauges) are appended as given.
    public func render(extra: [String] = []) -> String {
        let snapshot = state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP keyhaven_http_requests_total HTTP requests by method, route and status.")
        lines.append("# TYPE keyhaven_http_requests_total counter")
        for (key, count) in snapshot.requests.sorted(by: {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }) {
            lines.append(
                "keyhaven_http_requests_total{method=\"\(Self.escape(key.method))\",route=\"\(Self.escape(key.route))\",status=\"\(key.status)\"} \(count)"
            )
        }
        lines.append("# HELP keyhaven_http_request_duration_seconds Time from request received to response ready, by route.")
        lines.append("# TYPE keyhaven_http_request_duration_seconds histogram")
        for (route, histogram) in snapshot.latency.sorted(by: { $0.key < $1.key }) {
            var cumulative: UInt64 = 0
            let label = "route=\"\(Self.escape(route))\""
            for (index, bound) in Self.latencyBuckets.enumerated() {
                cumulative += histogram.bucketCounts[index]
                lines.append("keyhaven_http_request_duration_seconds_bucket{\(label),le=\"\(bound)\"} \(cumulative)")
            }
            lines.append("keyhaven_http_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(histogram.count)")
            lines.append("keyhaven_http_request_duration_seconds_sum{\(label)} \(histogram.sum)")
            lines.append("keyhaven_http_request_duration_seconds_count{\(label)} \(histogram.count)")
        }
        lines.append("# HELP keyhaven_http_requests_in_flight Requests being handled now.")
        lines.append("# TYPE keyhaven_http_requests_in_flight gauge")
        // The scrape itself is in flight while this renders.
        lines.append("keyhaven_http_requests_in_flight \(inFlight.load(ordering: .relaxed))")
        if let connections = connections.withLock({ $0 })?() {
            lines.append("# HELP keyhaven_http_connections_open Open client connections.")
            lines.append("# TYPE keyhaven_http_connections_open gauge")
            lines.append("keyhaven_http_connections_open \(connections.open)")
            lines.append("# HELP keyhaven_http_connections_refused_total Connections closed at once because a connection limit was reached.")
            lines.append("# TYPE keyhaven_http_connections_refused_total counter")
            lines.append("keyhaven_http_connections_refused_total \(connections.refused)")
        }
        return (lines + extra).joined(separator: "\n") + "\n"
    }

    private static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
