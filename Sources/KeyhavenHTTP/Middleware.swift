/// Wraps request handling, e.g. authentication or rate limiting. Throw an `HTTPError` to refuse.
public protocol Middleware: Sendable {
    func handle(
        _ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response
    ) throws -> Response
}

/// Watches requests for logs and metrics; lives outside the HTTP layer.
public protocol RequestObserver: Sendable {
    func requestStarted()
    /// Called once per request. `failure` is the internal description of an unexpected error
    /// (logged, never sent to the client).
    func requestFinished(request: Request, context: RequestContext, response: Response, duration: Duration, failure: String?)
}
