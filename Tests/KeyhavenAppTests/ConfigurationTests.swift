import Foundation
import KeyhavenApp
import Testing

struct ConfigurationTests {
    @Test func defaultsMatchTheAPIContract() throws {
        let configuration = try Configuration.fromEnvironment([:])
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 8443)
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.database == .sqlite(path: "./data/keyhaven.db"))
        #expect(configuration.tlsEnabled)
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.masterKeyFile == "./data/master.keys")
        #expect(configuration.jwtKeyFile == "./data/jwt.keys")
        #expect(configuration.mailFrom == "keyhaven@localhost")
        #expect(configuration.smtpURL == nil)
        #expect(!configuration.githubConfigured)
        #expect(configuration.githubAPIURL.absoluteString == "https://api.github.com")
        #expect(configuration.githubWebURL.absoluteString == "https://github.com")
        #expect(configuration.publicURL.absoluteString == "https://localhost:8443")
        #expect(configuration.trustedProxies.isEmpty)
        #expect(configuration.environment == .development)
    }

    @Test func readsEveryVariable() throws {
        let configuration = try Configuration.fromEnvironment([
            "KEYHAVEN_LISTEN": "[::1]:9000", "KEYHAVEN_DATA_DIR": "/srv/kh", "KEYHAVEN_DATABASE_URL": "postgres://u:p@db/kh",
            "KEYHAVEN_TLS": "off", "KEYHAVEN_BCRYPT_COST": "13", "KEYHAVEN_SMTP_URL": "smtps://u:p@mail:465",
            "KEYHAVEN_MAIL_FROM": "vault@example.com", "KEYHAVEN_GITHUB_CLIENT_ID": "id", "KEYHAVEN_GITHUB_CLIENT_SECRET": "secret",
            "KEYHAVEN_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1", "KEYHAVEN_ENV": "production",
        ])
        #expect(configuration.listenHost == "::1")
        #expect(configuration.listenPort == 9000)
        #expect(configuration.masterKeyFile == "/srv/kh/master.keys")
        #expect(configuration.database == .postgres(url: "postgres://u:p@db/kh"))
        #expect(!configuration.tlsEnabled)
        #expect(configuration.bcryptCost == 13)
        #expect(configuration.smtpURL?.scheme == "smtps")
        #expect(configuration.githubConfigured)
        #expect(configuration.trustedProxies.count == 2)
        #expect(configuration.environment == .production)
    }

    @Test(arguments: [
        ("KEYHAVEN_LISTEN", "localhost"), ("KEYHAVEN_LISTEN", "example.com:80"), ("KEYHAVEN_LISTEN", "127.0.0.1:99999"),
        ("KEYHAVEN_DATABASE_URL", "mysql://x"), ("KEYHAVEN_TLS", "maybe"), ("KEYHAVEN_BCRYPT_COST", "9"),
        ("KEYHAVEN_BCRYPT_COST", "16"), ("KEYHAVEN_BCRYPT_COST", "4"), ("KEYHAVEN_BCRYPT_COST", "twelve"),
        ("KEYHAVEN_SMTP_URL", "http://mail"), ("KEYHAVEN_MAIL_FROM", "no-at-sign"), ("KEYHAVEN_MAIL_FROM", "a@b\r\nBcc: x@y"),
        ("KEYHAVEN_GITHUB_CLIENT_ID", "only-one-half"), ("KEYHAVEN_GITHUB_API_URL", "ftp://x"), ("KEYHAVEN_GITHUB_WEB_URL", "http://github.example"),
        ("KEYHAVEN_PUBLIC_URL", "not a url"),
        ("KEYHAVEN_TRUSTED_PROXIES", "10.0.0.0/8,nonsense"), ("KEYHAVEN_ENV", "staging"), ("KEYHAVEN_TLS_CERT", "/only/cert.pem"),
    ])
    func invalidValueNamesTheVariable(variable: String, value: String) {
        // Half of a pair is reported as the other half missing.
        let named = ["KEYHAVEN_GITHUB_CLIENT_ID": "KEYHAVEN_GITHUB_CLIENT_SECRET", "KEYHAVEN_TLS_CERT": "KEYHAVEN_TLS_KEY"][variable] ?? variable
        #expect {
            try Configuration.fromEnvironment([variable: value])
        } throws: { error in
            guard let error = error as? Configuration.Error else { return false }
            return error.variable == named && error.description.hasPrefix("\(named): ") && !error.description.contains("\n")
        }
    }

    @Test func bcryptCostFourIsAllowedInTests() throws {
        #expect(try Configuration.fromEnvironment(["KEYHAVEN_BCRYPT_COST": "4", "KEYHAVEN_ENV": "test"]).bcryptCost == 4)
    }
}
