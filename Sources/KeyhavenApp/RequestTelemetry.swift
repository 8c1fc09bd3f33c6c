import KeyhavenHTTP

/// Feeds every finished request to the access log and the metrics. Logs the route pattern, not
/// the raw path or query string, so ids and one-time codes in URLs stay out of the logs.
struct RequestTelemetry: RequestObserver {
    let logger: Logger
    let metrics: Metrics

    func requestStarted() { metrics.requestStarted() }

    func requestFinished(request: Request, context: RequestContext, response: Response, duration: Duration, failure: String?) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let method = HTTPMethod(rawValue: request.method)?.rawValue ?? "OTHER"
        metrics.requestFinished(method: method, route: context.route, status: response.status, seconds: seconds)
        let fields: KeyValuePairs<String, Logger.Value> = [
            "request_id": .string(context.requestID), "method": .string(method), "route": .string(context.route),
            "status": .integer(response.status), "duration_ms": .double(seconds * 1000), "client_ip": .string(context.clientAddress),
        ]
        if let failure {
            // The internal description goes to the log only; the client saw a bare 500.
            logger.error("request failed", fields)
            logger.error("unhandled error", ["request_id": .string(context.requestID), "error": .string(failure)])
        } else {
            logger.info("request", fields)
        }
    }
}
