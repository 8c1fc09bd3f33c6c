import Foundation
import KeyhavenApp
import KeyhavenHTTP
import KeyhavenStorage
import KeyhavenTestSupport

/// An application on a throwaway database and data directory, with logs captured in memory.
final class TestApplication: @unchecked Sendable {  // immutable after init
    let app: Application
    let client: TestClient
    let logs = MemoryLogSink()
    let mailer = RecordingMailer()
    let dataDirectory: String
    private let testDatabase: TestDatabase

    init(_ backend: DatabaseBackend = .sqlite, environment: [String: String] = [:], security: SecuritySettings = SecuritySettings()) throws {
        testDatabase = try TestDatabase.make(backend, migrate: false)
        dataDirectory = TestDatabase.temporaryDirectory()
        var variables = [
            "KEYHAVEN_ENV": "test", "KEYHAVEN_DATA_DIR": dataDirectory, "KEYHAVEN_TLS": "off", "KEYHAVEN_BCRYPT_COST": "4",
            "KEYHAVEN_DATABASE_URL": Self.url(of: testDatabase.location),
        ]
        variables.merge(environment) { $1 }
        var configuration = try Configuration.fromEnvironment(variables)
        configuration.security = security
        app = try buildApplication(configuration: configuration, logger: Logger(sink: logs, minimumLevel: .debug), mailer: mailer)
        client = TestClient(responder: app.responder)
    }

    static func url(of location: DatabaseLocation) -> String {
        switch location {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let url): url
        }
    }

    deinit {
        app.workPool.stop()
        app.database.close()
        testDatabase.drop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
