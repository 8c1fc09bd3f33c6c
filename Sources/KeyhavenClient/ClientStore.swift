public import Foundation
import KeyhavenCrypto

/// What `kh` keeps on this device, in `~/.config/keyhaven/` (or `$XDG_CONFIG_HOME/keyhaven`, or
/// `KH_CONFIG_DIR`), every file mode 0600 in a 0700 directory: the session (server, account,
/// tokens), the Secret Keys by account, and the vault keys `kh unlock` sealed under a
/// `KH_SESSION` key. The master key and the account password are never written anywhere.
public struct ClientStore: Sendable {
    public let directory: String

    public struct Session: Codable, Sendable, Equatable {
        public var server: String
        public var email: String
        public var userID: String
        public var accessToken: String
        public var refreshToken: String
        public var caFile: String?
        public var insecure: Bool

        enum CodingKeys: String, CodingKey {
            case server, email, insecure
            case userID = "user_id"
            case accessToken = "access_token"
            case refreshToken = "refresh_token"
            case caFile = "ca_file"
        }
    }

    public init(directory: String) { self.directory = directory }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["KH_CONFIG_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/keyhaven" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/keyhaven"
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func read<Value: Decodable>(_ type: Value.Type, _ name: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: path(name)) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    func write(_ value: some Encodable, _ name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try SecureFile.writeAtomically(Array(try encoder.encode(value)), to: path(name))
    }

    public var session: Session? { read(Session.self, "session.json") }
    public func save(_ session: Session) throws { try write(session, "session.json") }

    public func clearSession() {
        try? FileManager.default.removeItem(atPath: path("session.json"))
        try? FileManager.default.removeItem(atPath: path("unlocked.json"))
    }

    static func accountKey(server: String, email: String) -> String { "\(server.lowercased())|\(email.lowercased())" }

    public func secretKey(server: String, email: String) -> E2E.SecretKey? {
        guard let text = read([String: String].self, "secret-keys.json")?[Self.accountKey(server: server, email: email)] else { return nil }
        return try? E2E.SecretKey(parsing: text)
    }

    public func saveSecretKey(_ key: E2E.SecretKey, server: String, email: String) throws {
        var all = read([String: String].self, "secret-keys.json") ?? [:]
        all[Self.accountKey(server: server, email: email)] = key.formatted
        try write(all, "secret-keys.json")
    }

    /// Vault keys sealed under a fresh session key; returns that key for `KH_SESSION`.
    func sealUnlocked(_ keys: [String: SymmetricKey], userID: String) throws -> String {
        let sessionKey = SymmetricKey.generate()
        let plain = try JSONEncoder().encode(keys.mapValues { Base64URL.encode($0.bytes) })
        try write(["user_id": userID, "vault_keys": try E2E.seal(Array(plain), key: sessionKey, aad: "kh-session:\(userID)")], "unlocked.json")
        return Base64URL.encode(sessionKey.bytes)
    }

    func openUnlocked(session value: String, userID: String) throws -> [String: SymmetricKey] {
        guard let bytes = Base64URL.decode(value), let sessionKey = try? SymmetricKey(bytes: bytes),
            let stored = read([String: String].self, "unlocked.json"), stored["user_id"] == userID, let sealed = stored["vault_keys"]
        else { throw ClientError.locked }
        let plain = try E2E.open(sealed, key: sessionKey, aad: "kh-session:\(userID)", what: "the unlocked vault keys (KH_SESSION)")
        let encoded = try JSONDecoder().decode([String: String].self, from: Data(plain))
        return try encoded.mapValues { text in
            guard let raw = Base64URL.decode(text) else { throw ClientError.locked }
            return try SymmetricKey(bytes: raw)
        }
    }
}

public enum ClientError: Error, CustomStringConvertible, Equatable {
    case notLoggedIn
    case locked
    /// The server answered with a problem (status, code, detail).
    case server(Int, String, String)
    case transport(String)
    case secretKeyNeeded
    case usage(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .notLoggedIn: return "not logged in: run kh login --server URL --email E"
        case .locked:
            return "end-to-end vaults are locked: run kh unlock and export KH_SESSION, or give the password on standard input"
        case .server(let status, let code, let detail): return "\(detail) (\(code), HTTP \(status))"
        case .transport(let reason): return "cannot reach the server: \(reason)"
        case .secretKeyNeeded:
            return "this account has end-to-end vaults: log in with --secret-key (from your emergency kit, or kh secret-key on another device)"
        case .usage(let message): return message
        case .notFound(let what): return "no such \(what)"
        }
    }
}
