/// An error a client may see: status, stable `code`, and a detail written for the user.
/// Everything else that is thrown becomes a bare 500 carrying only the request id.
public struct HTTPError: Error, Sendable, Equatable {
    public struct FieldError: Sendable, Equatable, Codable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var code: String
    public var detail: String
    public var fieldErrors: [FieldError]
    /// Headers the error needs (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: [String: String]

    public init(status: Int, code: String, detail: String, fieldErrors: [FieldError] = [], headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public var title: String { HTTPStatus.reasonPhrase(status) }

    public static func badRequest(_ detail: String, code: String = "bad_request") -> HTTPError {
        HTTPError(status: 400, code: code, detail: detail)
    }
    public static func unauthorized(_ detail: String = "Missing, invalid or expired credentials.", code: String = "unauthorized") -> HTTPError {
        HTTPError(status: 401, code: code, detail: detail, headers: ["WWW-Authenticate": "Bearer"])
    }
    public static func forbidden(_ detail: String, code: String = "forbidden") -> HTTPError {
        HTTPError(status: 403, code: code, detail: detail)
    }
    public static func notFound(_ detail: String = "No such resource.", code: String = "not_found") -> HTTPError {
        HTTPError(status: 404, code: code, detail: detail)
    }
    public static func methodNotAllowed(allowed: [String]) -> HTTPError {
        HTTPError(
            status: 405, code: "method_not_allowed", detail: "This resource does not support that method.",
            headers: ["Allow": allowed.joined(separator: ", ")])
    }
    public static func conflict(_ detail: String, code: String = "conflict") -> HTTPError {
        HTTPError(status: 409, code: code, detail: detail)
    }
    public static func preconditionFailed(_ detail: String) -> HTTPError {
        HTTPError(status: 412, code: "precondition_failed", detail: detail)
    }
    public static func payloadTooLarge(limit: Int) -> HTTPError {
        HTTPError(status: 413, code: "payload_too_large", detail: "The request body is larger than \(limit) bytes.")
    }
    public static func unsupportedMediaType(_ expected: String = "application/json") -> HTTPError {
        HTTPError(status: 415, code: "unsupported_media_type", detail: "The request body must be \(expected).")
    }
    public static func validationFailed(_ errors: [FieldError], detail: String = "The request body failed validation.") -> HTTPError {
        HTTPError(status: 422, code: "validation_failed", detail: detail, fieldErrors: errors)
    }
    public static func tooManyRequests(retryAfterSeconds: Int) -> HTTPError {
        HTTPError(
            status: 429, code: "rate_limited", detail: "Too many requests; try again later.",
            headers: ["Retry-After": String(max(1, retryAfterSeconds))])
    }
    public static func internalError(requestID: String) -> HTTPError {
        HTTPError(status: 500, code: "internal_error", detail: "An internal error occurred. Request id: \(requestID).")
    }
    public static func serviceUnavailable(_ detail: String, code: String = "not_ready") -> HTTPError {
        HTTPError(status: 503, code: code, detail: detail)
    }
}

/// Domain errors adopt this to say how they look on the wire, keeping HTTP out of the domain.
public protocol HTTPErrorConvertible: Error {
    var httpError: HTTPError { get }
}

extension HTTPError {
    /// The RFC 9457 problem+json body.
    func problemResponse(requestID: String) -> Response {
        struct Problem: Encodable {
            var type: String
            var title: String
            var status: Int
            var detail: String
            var code: String
            var requestId: String
            var errors: [FieldError]?
        }
        let problem = Problem(
            type: "urn:keyhaven:problem:\(code)", title: title, status: status, detail: detail, code: code,
            requestId: requestID, errors: fieldErrors.isEmpty ? nil : fieldErrors)
        var response =
            (try? Response.json(problem, status: status))
            ?? Response(status: status, body: Array(#"{"status":500,"code":"internal_error"}"#.utf8))
        response.headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        return response
    }
}
