import Foundation
import KeyhavenCrypto
import KeyhavenGitHub
public import KeyhavenHTTP
import KeyhavenHTTPClient
import KeyhavenMail
import KeyhavenScanner
public import KeyhavenStorage

/// The assembled server: configuration, database, keys, routes. Built the same way by the
/// executable and by the tests (`buildApplication(configuration:logger:)`).
public struct Application: Sendable {
    public let configuration: Configuration
    public let database: any Database
    public let keys: KeyMaterial
    public let metrics: Metrics
    public let logger: Logger
    public let responder: Responder
    /// Runs CPU-heavy routes (password hashing) off the connection threads; one thread per core.
    public let workPool: WorkPool
    /// Delivers queued email; `run()` starts it, tests call `deliverDue()`.
    public let outbox: OutboxWorker
    /// Runs GitHub scan jobs; `run()` starts it, tests call `runDue()`.
    public let scans: ScanWorker
    /// The weak/reused password digest; `run()` checks it every minute, tests call `sendDue(now:)`.
    public let healthDigests: HealthDigests
    /// Every (method, path pattern) the router serves.
    public let routes: [(method: String, pattern: String)]

    /// Starts the real HTTP(S) server for this application. `port` overrides the configured one
    /// (0 picks a free port; tests read it back from `HTTPServer.port`).
    public func startServer(port: UInt16? = nil) throws -> HTTPServer {
        let tls = try TLSSetup.material(configuration: configuration, logger: logger)
        let serverConfiguration = HTTPServer.Configuration(host: configuration.listenHost, port: port ?? configuration.listenPort, tls: tls)
        let server = try HTTPServer(configuration: serverConfiguration, responder: responder, workPool: workPool)
        metrics.reportConnections(of: server)
        return server
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish and
    /// closes the database.
    public func run() throws {
        let server = try startServer()
        let scheme = configuration.tlsEnabled ? "https" : "http"
        logger.info(
            "listening",
            [
                "address": .string("\(scheme)://\(configuration.listenHost):\(server.port)"), "database": .string(configuration.database.description),
                "environment": .string(configuration.environment.rawValue),
            ])
        outbox.start()
        scans.start()
        let digests = BackgroundLoop(name: "keyhaven-health-digest", interval: 60) { [healthDigests] in healthDigests.sendDue() }
        digests.start()
        let stop = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        logger.info("shutting down", ["in_flight": .integer(server.requestsInFlight)])
        server.shutdown(gracePeriod: .seconds(10))
        outbox.stop()
        scans.stop()
        digests.stop()
        workPool.stop()
        database.close()
        sources.forEach { $0.cancel() }
        logger.info("stopped")
        logger.flush()
    }
}

/// Opens and migrates the database, loads the keys and wires every controller.
/// `mailer` defaults to writing messages to the log (codes visible only in development).
public func buildApplication(configuration: Configuration, logger: Logger = Logger(), mailer: (any Mailer)? = nil) throws -> Application {
    let mailer: any Mailer =
        mailer ?? configuration.smtpURL.map { SMTPMailer(client: SMTPClient(url: $0), from: configuration.mailFrom) }
        ?? LogMailer(logger: logger, showSecrets: configuration.environment == .development)
    let database = try configuration.database.open()
    do {
        let freshInstall = ((try? Migrator.appliedVersions(database)) ?? []).isEmpty
        let applied = try Migrator.migrate(database)
        if !applied.isEmpty {
            logger.info("applied migrations", ["versions": .string(applied.map { String($0.version) }.joined(separator: ","))])
        }
        let keys = try KeyMaterial.load(configuration: configuration, freshInstall: freshInstall, logger: logger)
        let metrics = Metrics()

        let masterKeys = MasterKeys(ring: keys.masterKeys, path: configuration.masterKeyFile)
        let users = SQLUserRepository(database: database)
        let sessions = SQLSessionRepository(database: database)
        let tokens = try TokenIssuer(signingKeys: keys.tokenSigningKeys, settings: configuration.security, publicURL: configuration.publicURL)
        // One server keeps its buckets in memory; servers sharing PostgreSQL share them there.
        let rateLimitStore: any RateLimitStore =
            database.backend == .postgres ? SQLRateLimitStore(database: database) : MemoryRateLimitStore()
        let authenticator = Authenticator(tokens: tokens, sessions: sessions, database: database, logger: logger)

        let audit = AuditRecorder(audit: SQLAuditLogRepository(database: database))
        let limiter = RateLimiter(store: rateLimitStore)
        let dataKeys = DataKeys(repository: SQLUserKeyRepository(database: database), masterKeys: masterKeys)
        let twoFactor = TwoFactorService(
            repository: SQLTwoFactorRepository(database: database), masterKeys: masterKeys, dataKeys: dataKeys,
            mailer: mailer)
        let workPool = WorkPool(threadCount: ProcessInfo.processInfo.activeProcessorCount)
        let outboxRepository = SQLOutboxRepository(database: database)
        let notifications = SQLNotificationRepository(database: database)
        let outbox = OutboxWorker(outbox: outboxRepository, mailer: mailer, logger: logger)
        var notifier = Notifier(repository: notifications, logger: logger)
        notifier.wake = { outbox.wake() }
        let vaultRepository = SQLVaultRepository(database: database)
        let vaults = VaultService(vaults: vaultRepository, dataKeys: dataKeys)
        let sessionStarter = SessionStarter(sessions: sessions, tokens: tokens, settings: configuration.security)
        let derivedKey = { (info: String) in
            // From the oldest master key, so these stay stable across rotations (fake prelogin salts
            // must not change while real ones do not).
            try HKDFSHA256.deriveKey(
                from: keys.masterKeys.keys[0].material, salt: Array("keyhaven".utf8), info: Array(info.utf8), outputByteCount: 32)
        }
        let cursors = CursorSigner(key: try derivedKey("cursor-v1"))
        let github = SQLGitHubRepository(database: database)
        let hasher = try PasswordHasher(masterKeys: masterKeys, cost: configuration.bcryptCost)
        let githubAccounts = GitHubAccounts(
            configuration: configuration, repository: github, users: users, dataKeys: dataKeys, vaults: vaults, hasher: hasher,
            flowKey: try derivedKey("github-oauth-v1"), http: HTTPClient())
        let scans = ScanWorker(
            repository: github, accounts: githubAccounts, dataKeys: dataKeys, rules: try RuleSet.builtIn(), notifier: notifier, users: users,
            audit: SQLAuditLogRepository(database: database), logger: logger, publicURL: configuration.publicURL)
        scans.leaseDuration = configuration.scanLease
        let healthDigests = HealthDigests(
            repository: SQLHealthDigestRepository(database: database), items: SQLItemRepository(database: database),
            vaultRepository: vaultRepository, dataKeys: dataKeys, users: users, notifier: notifier, logger: logger)
        let auth = AuthController(
            users: users, sessions: sessions, audit: audit, twoFactor: twoFactor, sessionStarter: sessionStarter,
            vaults: vaults, notifier: notifier, cursors: cursors,
            githubLinks: github, hasher: hasher, tokens: tokens, limiter: limiter,
            authenticator: authenticator, settings: configuration.security, logger: logger)

        var router = Router()
        OperationsController(
            database: database, metrics: metrics,
            gauges: {
                [
                    "# HELP keyhaven_work_pool_queued CPU-heavy requests (password hashing) waiting for a thread.",
                    "# TYPE keyhaven_work_pool_queued gauge", "keyhaven_work_pool_queued \(workPool.queuedCount)",
                    "# HELP keyhaven_outbox_pending Emails queued and not yet accepted by the SMTP server.",
                    "# TYPE keyhaven_outbox_pending gauge", "keyhaven_outbox_pending \((try? outboxRepository.pendingCount()) ?? -1)",
                ]
            }
        ).register(on: &router)
        auth.register(on: &router)
        PasswordsController(
            items: SQLItemRepository(database: database), vaultRepository: vaultRepository, vaults: vaults, dataKeys: dataKeys,
            cursors: cursors, audit: audit, notifier: notifier, healthDigests: healthDigests, authenticator: authenticator
        ).register(on: &router)
        NotificationsController(repository: notifications, cursors: cursors, authenticator: authenticator).register(on: &router)
        ImportController(
            items: SQLItemRepository(database: database), vaultRepository: vaultRepository, vaults: vaults, dataKeys: dataKeys, audit: audit,
            authenticator: authenticator, healthDigests: healthDigests
        ).register(on: &router)
        ExportController(
            items: SQLItemRepository(database: database), vaultRepository: vaultRepository, vaults: vaults, dataKeys: dataKeys, twoFactor: twoFactor,
            auth: auth, audit: audit, notifier: notifier, authenticator: authenticator
        ).register(on: &router)
        AuditLogController(audit: SQLAuditLogRepository(database: database), cursors: cursors, authenticator: authenticator).register(on: &router)
        VaultsController(vaultRepository: vaultRepository, vaults: vaults, audit: audit, authenticator: authenticator).register(on: &router)
        PreloginController(
            users: users, dataKeys: dataKeys, fakeSaltKey: try derivedKey("prelogin-salt-v1"), limiter: limiter, settings: configuration.security
        ).register(on: &router)
        TwoFactorController(
            users: users, twoFactor: twoFactor, sessionStarter: sessionStarter, limiter: limiter, authenticator: authenticator, auth: auth,
            audit: audit, notifier: notifier, settings: configuration.security
        ).register(on: &router)

        GitHubController(
            accounts: githubAccounts, repository: github, worker: scans, users: users, twoFactor: twoFactor, sessionStarter: sessionStarter,
            audit: audit, notifier: notifier, cursors: cursors, limiter: limiter, settings: configuration.security, authenticator: authenticator
        ).register(on: &router)

        let responder = Responder(
            router: router, observer: RequestTelemetry(logger: logger, metrics: metrics),
            options: .init(httpsEnabled: configuration.tlsEnabled, trustedProxies: configuration.trustedProxies))
        return Application(
            configuration: configuration, database: database, keys: keys, metrics: metrics, logger: logger, responder: responder,
            workPool: workPool, outbox: outbox, scans: scans, healthDigests: healthDigests, routes: router.registeredRoutes)
    } catch {
        database.close()
        throw error
    }
}

/// Applies migrations and returns the versions applied (`keyhaven migrate`).
public func migrateDatabase(configuration: Configuration) throws -> [Int] {
    let database = try configuration.database.open()
    defer { database.close() }
    return try Migrator.migrate(database).map(\.version)
}
