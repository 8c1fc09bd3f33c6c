import KeyhavenHTTP
import KeyhavenStorage

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
struct OperationsController {
    let database: any Database
    let metrics: Metrics
    /// Extra gauges computed at scrape time (work pool queue, outbox backlog).
    var gauges: @Sendable () -> [String] = { [] }

    func register(on router: inout Router) {
        // A constant answer: liveness must stay cheap enough to poll hard.
        router.get("/healthz") { _, _ in Response(status: 200, headers: ["Content-Type": "application/json"], body: Self.aliveBody) }
        router.get("/readyz") { _, context in try ready(context: context) }
        router.get("/metrics") { _, _ in
            Response.text(metrics.render(extra: poolLines() + gauges()), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            return Response(status: 200, headers: headers, body: Array(OpenAPIDocument.json.utf8))
        }
    }

    private static let aliveBody = Array(#"{"status":"ok"}"#.utf8)

    private struct Status: Encodable {
        var status: String
    }

    private func ready(context: RequestContext) throws -> Response {
        do {
            try database.ping()
        } catch {
            throw HTTPError.serviceUnavailable("The database is not reachable.")
        }
        return try Response.json(Status(status: "ready"))
    }

    private func poolLines() -> [String] {
        let statistics = database.poolStatistics
        let backend = database.backend.rawValue
        return [
            "# HELP keyhaven_db_pool_connections Database connections by state.",
            "# TYPE keyhaven_db_pool_connections gauge",
            "keyhaven_db_pool_connections{backend=\"\(backend)\",state=\"in_use\"} \(statistics.inUse)",
            "keyhaven_db_pool_connections{backend=\"\(backend)\",state=\"idle\"} \(statistics.idle)",
            "# HELP keyhaven_db_pool_capacity Most database connections the pool opens.",
            "# TYPE keyhaven_db_pool_capacity gauge",
            "keyhaven_db_pool_capacity{backend=\"\(backend)\"} \(statistics.capacity)",
        ]
    }
}
