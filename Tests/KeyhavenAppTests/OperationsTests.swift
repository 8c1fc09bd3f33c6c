import Foundation
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport
import Testing

@testable import KeyhavenApp

struct OperationsTests {
    @Test(arguments: TestDatabase.backends)
    func healthAndReadiness(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        let health = test.client.execute("GET", "/healthz")
        #expect(health.status == 200)
        #expect(try health.decode([String: String].self) == ["status": "ok"])
        let ready = test.client.execute("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(try ready.decode([String: String].self) == ["status": "ready"])
    }

    @Test func readinessFailsWhenTheDatabaseIsGone() throws {
        let test = try TestApplication()
        test.app.database.close()
        let response = test.client.execute("GET", "/readyz")
        #expect(response.status == 503)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(try response.decode(ProblemBody.self).code == "not_ready")
        #expect(test.client.execute("GET", "/healthz").status == 200)
    }

    @Test(arguments: TestDatabase.backends)
    func metricsCountRequestsByRouteAndStatus(_ backend: DatabaseBackend) throws {
        let test = try TestApplication(backend)
        test.client.execute("GET", "/healthz")
        test.client.execute("GET", "/healthz")
        test.client.execute("GET", "/no/such/thing")
        let response = test.client.execute("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.bodyText
        #expect(text.contains(#"keyhaven_http_requests_total{method="GET",route="/healthz",status="200"} 2"#))
        #expect(text.contains(#"keyhaven_http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"keyhaven_http_request_duration_seconds_count{route="/healthz"} 2"#))
        #expect(text.contains(#"keyhaven_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 2"#))
        #expect(text.contains("keyhaven_http_requests_in_flight 1"))
        #expect(text.contains(#"keyhaven_db_pool_connections{backend="\#(backend.rawValue)",state="in_use"} 0"#))
        #expect(text.contains("keyhaven_db_pool_capacity"))
        #expect(text.contains("keyhaven_work_pool_queued 0"))
        #expect(text.contains("keyhaven_outbox_pending 0"))
    }

    @Test func accessLogIsStructuredAndCarriesNoQueryOrBody() throws {
        let test = try TestApplication()
        test.client.execute(
            "GET", "/healthz?token=hunter2-secret", headers: ["X-Request-Id": "log-test-1", "Authorization": "Bearer sekrit.jwt.value"])
        let line = try #require(test.logs.lines.last { $0.contains("log-test-1") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "request")
        #expect(object["method"] as? String == "GET")
        #expect(object["route"] as? String == "/healthz")
        #expect(object["status"] as? Int == 200)
        #expect(object["duration_ms"] is Double)
        #expect(object["client_ip"] as? String == "127.0.0.1")
        for secret in ["hunter2", "sekrit", "token="] {
            #expect(!test.logs.lines.joined().contains(secret))
        }
    }

    @Test func openAPIDocumentsEveryRoute() throws {
        let test = try TestApplication()
        let response = test.client.execute("GET", "/openapi.json")
        #expect(response.status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for route in test.app.routes {
            let operations = paths[route.pattern]
            #expect(operations?[route.method.lowercased()] != nil, "\(route.method) \(route.pattern) missing from /openapi.json")
        }
        // And nothing is documented that the server does not serve.
        for (path, operations) in paths {
            for method in operations.keys {
                #expect(
                    test.app.routes.contains { $0.pattern == path && $0.method.lowercased() == method }, "\(method) \(path) documented but not routed"
                )
            }
        }
    }

    /// Enumerations in the document follow the code (Schemathesis found a stale one).
    @Test func openAPIEnumerationsMatchTheCode() throws {
        let test = try TestApplication()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(test.client.execute("GET", "/openapi.json").body)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        func property(_ schema: String, _ name: String) -> [String: Any]? {
            (schemas[schema]?["properties"] as? [String: Any])?[name] as? [String: Any]
        }
        #expect(property("AuditEvent", "event")?["enum"] as? [String] == AuditEvent.Kind.allCases.map(\.rawValue))
        #expect(property("Notification", "kind")?["enum"] as? [String] == Notifier.Kind.allCases.map(\.rawValue))
        let emailKinds = (property("NotificationSettings", "email")?["properties"] as? [String: Any]).map { Set($0.keys) }
        #expect(emailKinds == Set(Notifier.Kind.allCases.map(\.rawValue)))
    }

    @Test func keyFilesAreGeneratedWithMode0600AndReused() throws {
        let test = try TestApplication()
        for file in ["master.keys", "jwt.keys"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: test.dataDirectory + "/" + file)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let again = try buildApplication(configuration: test.app.configuration, logger: Logger(sink: MemoryLogSink()))
        defer { again.database.close() }
        #expect(again.keys.masterKeys.activeKey.material == test.app.keys.masterKeys.activeKey.material)
        #expect(again.keys.tokenSigningKeys.activeKeyID == test.app.keys.tokenSigningKeys.activeKeyID)
    }

    /// In production, a missing key file next to a database that already holds data is an error:
    /// minting a new key would silently make every stored secret unreadable.
    @Test func productionRefusesToRegenerateLostKeys() throws {
        let test = try TestApplication()
        var configuration = test.app.configuration
        configuration.environment = .production
        configuration.masterKeyFile = test.dataDirectory + "/lost.keys"
        #expect {
            try buildApplication(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        } throws: { error in
            (error as? Configuration.Error)?.variable == "KEYHAVEN_MASTER_KEY_FILE"
        }
    }

    @Test func productionGeneratesKeysOnAFreshInstall() throws {
        let directory = TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = try Configuration.fromEnvironment(["KEYHAVEN_ENV": "production", "KEYHAVEN_DATA_DIR": directory, "KEYHAVEN_TLS": "off"])
        let app = try buildApplication(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        defer { app.database.close() }
        #expect(FileManager.default.fileExists(atPath: directory + "/master.keys"))
    }

    /// The whole application over a real socket with its generated development certificate,
    /// verified by curl against that certificate for 127.0.0.1.
    @Test func realServerWithGeneratedCertificate() throws {
        let test = try TestApplication(environment: ["KEYHAVEN_TLS": "on"])
        let server = try test.app.startServer(port: 0)
        defer { server.shutdown() }
        let (status, output) = try runProcess(
            "/usr/bin/curl",
            ["-sS", "--max-time", "10", "--cacert", test.dataDirectory + "/tls/cert.pem", "-D", "-", "https://127.0.0.1:\(server.port)/healthz"])
        #expect(status == 0)
        #expect(output.hasPrefix("HTTP/1.1 200"))
        #expect(output.lowercased().contains("strict-transport-security: max-age="))
        #expect(output.contains(#"{"status":"ok"}"#))

        // The connection gauges of /metrics are the running server's: once curl's connection is
        // closed, the one held open here counts, and nothing was refused.
        #expect(server.waitForOpenConnections(0) == 0)
        let held = try SocketHTTPClient(port: server.port)
        #expect(server.waitForOpenConnections(1) == 1)
        let metrics = test.client.execute("GET", "/metrics").bodyText
        #expect(metrics.contains("keyhaven_http_connections_open 1\n"))
        #expect(metrics.contains("keyhaven_http_connections_refused_total 0\n"))
        withExtendedLifetime(held) {}
    }
}

struct ProblemBody: Decodable {
    var code: String
    var status: Int
}
