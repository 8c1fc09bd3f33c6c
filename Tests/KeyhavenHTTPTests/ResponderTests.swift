import Foundation
import KeyhavenHTTP
import KeyhavenLocking
import KeyhavenTestSupport
import Testing

struct ResponderTests {
    let client = Fixtures.client

    @Test func routesWithParametersAndPrefersLiteralSegments() throws {
        #expect(try client.execute("GET", "/items/abc").decode([String: String].self) == ["id": "abc"])
        #expect(try client.execute("GET", "/items/special").decode([String: String].self) == ["id": "literal wins"])
        #expect(client.execute("DELETE", "/items/abc").status == 204)
    }

    @Test func unknownPathIs404ProblemJSON() throws {
        let response = client.execute("GET", "/nope")
        #expect(response.status == 404)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        let problem = try response.decode(Fixtures.Problem.self)
        #expect(problem.code == "not_found")
        #expect(problem.status == 404)
        #expect(problem.title == "Not Found")
        #expect(problem.requestId == response.headers["X-Request-Id"])
        #expect(client.execute("GET", "/items/abc/").status == 404)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let response = client.execute("PUT", "/items/abc")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "DELETE, GET, HEAD")
        #expect(try response.decode(Fixtures.Problem.self).code == "method_not_allowed")
    }

    @Test func headIsServedByGetWithoutBody() {
        let response = client.execute("HEAD", "/hello")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] == "19")
    }

    @Test func unexpectedErrorIsBare500WithRequestIDAndNoInternals() throws {
        let observer = RecordingObserver()
        let client = TestClient(responder: Fixtures.responder(observer: observer))
        let response = client.execute("GET", "/boom", headers: ["X-Request-Id": "req-123"])
        #expect(response.status == 500)
        #expect(!response.bodyText.contains("SELECT"))
        let problem = try response.decode(Fixtures.Problem.self)
        #expect(problem.code == "internal_error")
        #expect(problem.requestId == "req-123")
        #expect(problem.detail.contains("req-123"))
        // The detail the client must not see reaches the observer (the log) instead.
        #expect(observer.failures == ["SELECT * FROM secrets -- internal detail"])
    }

    @Test func httpErrorKeepsItsStatusAndCode() throws {
        let response = client.execute("GET", "/teapot")
        #expect(response.status == 409)
        #expect(try response.decode(Fixtures.Problem.self).code == "teapot")
    }

    @Test func requestIDIsEchoedOnlyWhenSane() {
        #expect(client.execute("GET", "/hello", headers: ["X-Request-Id": "abc-DEF_1.2:3"]).headers["X-Request-Id"] == "abc-DEF_1.2:3")
        for hostile in ["has space", "line\r\nbreak", String(repeating: "a", count: 129), "", "{json}"] {
            let echoed = client.execute("GET", "/hello", headers: ["X-Request-Id": hostile]).headers["X-Request-Id"]
            #expect(echoed != hostile)
            #expect(echoed?.count == 32)
        }
        let first = client.execute("GET", "/hello").headers["X-Request-Id"]
        let second = client.execute("GET", "/hello").headers["X-Request-Id"]
        #expect(first != second)
    }

    @Test func securityHeadersOnEveryResponse() {
        for target in ["/hello", "/nope", "/boom"] {
            let response = client.execute("GET", target)
            #expect(response.headers["X-Content-Type-Options"] == "nosniff")
            #expect(response.headers["Cache-Control"] == "no-store")
            #expect(response.headers["X-Frame-Options"] == "DENY")
            #expect(response.headers["Server"] == nil)
            #expect(response.headers["Strict-Transport-Security"] == nil)
        }
        let https = TestClient(responder: Fixtures.responder(https: true))
        #expect(https.execute("GET", "/hello").headers["Strict-Transport-Security"]?.hasPrefix("max-age=") == true)
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let direct = TestClient(responder: Fixtures.responder(), peerAddress: "203.0.113.9")
        #expect(try direct.execute("GET", "/whoami", headers: ["X-Forwarded-For": "1.2.3.4"]).decode([String: String].self)["ip"] == "203.0.113.9")

        let proxied = TestClient(responder: Fixtures.responder(trustedProxies: ["10.0.0.0/8", "::1"]), peerAddress: "10.1.2.3")
        // The client is the rightmost hop that is not a trusted proxy; spoofed entries to its left are ignored.
        #expect(
            try proxied.execute("GET", "/whoami", headers: ["X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.9.9.9"]).decode([String: String].self)["ip"]
                == "198.51.100.7")
        #expect(try proxied.execute("GET", "/whoami").decode([String: String].self)["ip"] == "10.1.2.3")
        #expect(try proxied.execute("GET", "/whoami", headers: ["X-Forwarded-For": "garbage"]).decode([String: String].self)["ip"] == "10.1.2.3")
    }

    @Test func ipRanges() {
        let v4 = IPAddressRange("192.168.0.0/16")!
        #expect(v4.contains("192.168.44.1"))
        #expect(!v4.contains("192.169.0.1"))
        #expect(v4.contains("::ffff:192.168.1.1"))
        let v6 = IPAddressRange("2001:db8::/32")!
        #expect(v6.contains("2001:db8:1::5"))
        #expect(!v6.contains("2001:db9::1"))
        #expect(IPAddressRange("10.0.0.0/33") == nil)
        #expect(IPAddressRange("not-an-ip") == nil)
    }
}

struct JSONBodyTests {
    let client = Fixtures.client

    @Test func validBodyIsDecoded() throws {
        let response = try client.execute("POST", "/greet", json: ["name": "ada"])
        #expect(response.status == 201)
        #expect(try response.decode([String: String].self)["greeting"] == "hi ada")
    }

    @Test func malformedJSONIs400() throws {
        for body in ["{not json", "[1, 2]", "\"text\"", ""] {
            let response = client.execute("POST", "/greet", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            #expect(response.status == 400, "body \(body)")
            #expect(try response.decode(Fixtures.Problem.self).code == "malformed_json")
        }
    }

    @Test func wrongContentTypeIs415() throws {
        let response = client.execute("POST", "/greet", headers: ["Content-Type": "text/plain"], body: Array(#"{"name":"a"}"#.utf8))
        #expect(response.status == 415)
        #expect(client.execute("POST", "/greet", body: Array(#"{"name":"a"}"#.utf8)).status == 415)
        let charset = client.execute(
            "POST", "/greet", headers: ["Content-Type": "application/json; charset=utf-8"], body: Array(#"{"name":"a"}"#.utf8))
        #expect(charset.status == 201)
    }

    @Test func unknownMissingAndMistypedFieldsAre422WithFieldErrors() throws {
        let cases: [(String, String, String)] = [
            (#"{"name":"a","admin":true}"#, "admin", "unknown field"),
            (#"{"times":2}"#, "name", "is required"),
            (#"{"name":5}"#, "name", "must be of type string"),
            (#"{"name":"a","loud_voice":"yes"}"#, "loud_voice", "must be of type boolean"),
            (#"{"name":null}"#, "name", "must not be null"),
        ]
        for (body, field, message) in cases {
            let response = client.execute("POST", "/greet", headers: ["Content-Type": "application/json"], body: Array(body.utf8))
            #expect(response.status == 422, "body \(body)")
            let problem = try response.decode(Fixtures.Problem.self)
            #expect(problem.code == "validation_failed")
            #expect(problem.errors == [HTTPError.FieldError(field: field, message: message)], "body \(body)")
        }
    }
}

/// Keeps the internal failure descriptions the responder reports (what the log would get).
final class RecordingObserver: RequestObserver, Sendable {
    private let recorded = Locked<[String]>([])

    func requestStarted() {}

    func requestFinished(request: Request, context: RequestContext, response: Response, duration: Duration, failure: String?) {
        if let failure { recorded.withLock { $0.append(failure) } }
    }

    var failures: [String] { recorded.value }
}
