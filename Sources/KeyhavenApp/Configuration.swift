public import Foundation
public import KeyhavenHTTP
public import KeyhavenStorage

/// Everything the server reads from the environment, read once at start-up and passed in.
public struct Configuration: Sendable {
    public enum Environment: String, Sendable {
        case production, development, test
    }

    public var environment: Environment
    public var listenHost: String
    public var listenPort: UInt16
    public var dataDirectory: String
    public var database: DatabaseLocation
    public var tlsEnabled: Bool
    /// Explicit certificate and key; nil means a self-signed certificate in the data directory.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    public var masterKeyFile: String
    public var jwtKeyFile: String
    public var bcryptCost: Int
    public var smtpURL: URL?
    public var mailFrom: String
    public var githubClientID: String?
    public var githubClientSecret: String?
    public var githubAPIURL: URL
    public var githubWebURL: URL
    public var publicURL: URL
    public var trustedProxies: [IPAddressRange]
    /// How long a server may hold a scan job without reporting progress before another server
    /// takes it over (`KEYHAVEN_SCAN_LEASE_SECONDS`, 5 to 3600, default 120).
    public var scanLease: TimeInterval = 120
    public var security = SecuritySettings()

    /// A configuration value that cannot be used. `description` is the one line an operator sees.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let variable: String
        public let reason: String
        public var description: String { "\(variable): \(reason)" }
    }

    /// Reads and validates the environment. Unset variables take the API.md defaults.
    public static func fromEnvironment(_ variables: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        func value(_ name: String) -> String? {
            guard let raw = variables[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func url(_ name: String, default fallback: String, schemes: Set<String>) throws -> URL {
            let text = value(name) ?? fallback
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host != nil else {
                throw Error(variable: name, reason: "must be a \(schemes.sorted().joined(separator: " or ")) URL, got \(quoted(text))")
            }
            return url
        }

        // GitHub tokens and the client secret travel to these: plain HTTP only to loopback (tests).
        func githubURL(_ name: String, default fallback: String) throws -> URL {
            let parsed = try url(name, default: fallback, schemes: ["http", "https"])
            if parsed.scheme?.lowercased() == "http", !["127.0.0.1", "localhost", "::1", "[::1]"].contains(parsed.host ?? "") {
                throw Error(
                    variable: name, reason: "must be https (plain http is allowed only for a loopback address), got \(quoted(parsed.absoluteString))")
            }
            return parsed
        }
        let environmentName = value("KEYHAVEN_ENV") ?? "development"
        guard let environment = Environment(rawValue: environmentName) else {
            throw Error(variable: "KEYHAVEN_ENV", reason: "must be production, development or test, got \(quoted(environmentName))")
        }

        let listen = value("KEYHAVEN_LISTEN") ?? "127.0.0.1:8443"
        guard let (host, port) = parseListen(listen) else {
            throw Error(
                variable: "KEYHAVEN_LISTEN",
                reason: "must be host:port with an IP address host (e.g. 127.0.0.1:8443 or [::1]:8443), got \(quoted(listen))")
        }

        let dataDirectory = value("KEYHAVEN_DATA_DIR") ?? "./data"
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation(url: value("KEYHAVEN_DATABASE_URL") ?? "sqlite://\(dataDirectory)/keyhaven.db")
        } catch {
            throw Error(variable: "KEYHAVEN_DATABASE_URL", reason: "\(error)")
        }

        let tlsSetting = (value("KEYHAVEN_TLS") ?? "on").lowercased()
        guard tlsSetting == "on" || tlsSetting == "off" else {
            throw Error(variable: "KEYHAVEN_TLS", reason: "must be on or off, got \(quoted(tlsSetting))")
        }
        let certificate = value("KEYHAVEN_TLS_CERT")
        let key = value("KEYHAVEN_TLS_KEY")
        guard (certificate == nil) == (key == nil) else {
            throw Error(
                variable: certificate == nil ? "KEYHAVEN_TLS_CERT" : "KEYHAVEN_TLS_KEY",
                reason: "set both KEYHAVEN_TLS_CERT and KEYHAVEN_TLS_KEY, or neither")
        }

        let costText = value("KEYHAVEN_BCRYPT_COST") ?? "12"
        guard let cost = Int(costText), (10...15).contains(cost) || (cost == 4 && environment == .test) else {
            throw Error(
                variable: "KEYHAVEN_BCRYPT_COST", reason: "must be an integer from 10 to 15 (4 only with KEYHAVEN_ENV=test), got \(quoted(costText))")
        }

        var smtpURL: URL?
        if value("KEYHAVEN_SMTP_URL") != nil {
            smtpURL = try url("KEYHAVEN_SMTP_URL", default: "", schemes: ["smtp", "smtps"])
        }
        let mailFrom = value("KEYHAVEN_MAIL_FROM") ?? "keyhaven@localhost"
        // Scalars, not Characters: "\r\n" is one Character and would slip past a Character check.
        guard mailFrom.contains("@"),
            !mailFrom.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "<" || $0 == ">" || $0 == " " })
        else {
            throw Error(variable: "KEYHAVEN_MAIL_FROM", reason: "must be a plain email address, got \(quoted(mailFrom))")
        }

        let clientID = value("KEYHAVEN_GITHUB_CLIENT_ID")
        let clientSecret = value("KEYHAVEN_GITHUB_CLIENT_SECRET")
        guard (clientID == nil) == (clientSecret == nil) else {
            throw Error(
                variable: clientID == nil ? "KEYHAVEN_GITHUB_CLIENT_ID" : "KEYHAVEN_GITHUB_CLIENT_SECRET",
                reason: "set both the GitHub client id and secret, or neither")
        }

        var proxies: [IPAddressRange] = []
        for entry in (value("KEYHAVEN_TRUSTED_PROXIES") ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard let range = IPAddressRange(text) else {
                throw Error(variable: "KEYHAVEN_TRUSTED_PROXIES", reason: "must be a comma-separated list of CIDRs, got \(quoted(text))")
            }
            proxies.append(range)
        }

        let leaseText = value("KEYHAVEN_SCAN_LEASE_SECONDS") ?? "120"
        guard let lease = Int(leaseText), (5...3600).contains(lease) else {
            throw Error(variable: "KEYHAVEN_SCAN_LEASE_SECONDS", reason: "must be whole seconds from 5 to 3600, got \(quoted(leaseText))")
        }
        var configuration = Configuration(
            environment: environment, listenHost: host, listenPort: port, dataDirectory: dataDirectory, database: database,
            tlsEnabled: tlsSetting == "on", tlsCertificatePath: certificate, tlsKeyPath: key,
            masterKeyFile: value("KEYHAVEN_MASTER_KEY_FILE") ?? "\(dataDirectory)/master.keys",
            jwtKeyFile: value("KEYHAVEN_JWT_KEY_FILE") ?? "\(dataDirectory)/jwt.keys",
            bcryptCost: cost, smtpURL: smtpURL, mailFrom: mailFrom, githubClientID: clientID, githubClientSecret: clientSecret,
            githubAPIURL: try githubURL("KEYHAVEN_GITHUB_API_URL", default: "https://api.github.com"),
            githubWebURL: try githubURL("KEYHAVEN_GITHUB_WEB_URL", default: "https://github.com"),
            publicURL: try url("KEYHAVEN_PUBLIC_URL", default: "https://localhost:8443", schemes: ["http", "https"]),
            trustedProxies: proxies, security: SecuritySettings())
        configuration.scanLease = TimeInterval(lease)
        return configuration
    }

    /// GitHub features answer 503 unless both OAuth credentials are configured.
    public var githubConfigured: Bool { githubClientID != nil && githubClientSecret != nil }

    /// Key files may be generated when missing, except in production once data exists.
    var generatesMissingKeys: Bool { environment != .production }

    private static func parseListen(_ text: String) -> (String, UInt16)? {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard IPAddressRange(host) != nil, !host.contains("/") else { return nil }
        return (host, port)
    }

    /// Quotes a value for an error line, escaping control characters so it stays one line.
    private static func quoted(_ text: String) -> String { String(text.prefix(200)).debugDescription }
}
