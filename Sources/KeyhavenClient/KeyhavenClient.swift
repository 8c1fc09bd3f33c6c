import Foundation
public import KeyhavenCrypto
import KeyhavenHTTPClient

/// The Keyhaven API as a library: sessions with transparent refresh, vaults and items with the
/// end-to-end crypto done here (the server never sees an end-to-end plaintext), health,
/// export/import and GitHub scans. `kh` is a thin command line over it; the tests use it too.
public final class KeyhavenClient: @unchecked Sendable {
    public let store: ClientStore

    public init(store: ClientStore) { self.store = store }

    public struct Vault: Sendable, Equatable {
        public var id: String
        public var name: String
        public var endToEnd: Bool
        public var wrappedKey: String?
    }

    /// An item with its fields in the clear (decrypted here for end-to-end vaults).
    public struct Item: Sendable, Equatable {
        public var id: String
        public var vaultID: String
        public var fields: [String: String]
        public var version: Int
    }

    public static let fieldNames = ["title", "website", "username", "password", "notes"]

    // MARK: - HTTP

    struct Connection {
        var server: String
        var caFile: String?
        var insecure: Bool
        var http: HTTPClient { HTTPClient(timeoutSeconds: 60, caFile: caFile, verifiesPeer: !insecure) }
    }

    func send(
        _ connection: Connection, _ method: String, _ path: String, json: Any? = nil, token: String? = nil, headers: [(String, String)] = []
    ) throws -> (status: Int, body: Any?, raw: [UInt8], headers: [String: String]) {
        guard let url = URL(string: connection.server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw ClientError.usage("bad server URL \(connection.server)")
        }
        var allHeaders = headers + [("Accept", "application/json"), ("User-Agent", "kh/0.1")]
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        var body: [UInt8]?
        if let json {
            allHeaders.append(("Content-Type", "application/json"))
            body = Array(try JSONSerialization.data(withJSONObject: json))
        }
        let response: HTTPClient.Response
        do {
            response = try connection.http.send(method: method, url: url, headers: allHeaders, body: body)
        } catch {
            throw ClientError.transport("\(error)")
        }
        let parsed = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(response.body))
        return (response.status, parsed, response.body, response.headers)
    }

    static func problem(_ status: Int, _ body: Any?) -> ClientError {
        let object = body as? [String: Any]
        return .server(status, object?["code"] as? String ?? "http_\(status)", object?["detail"] as? String ?? "the server refused the request")
    }

    /// An authenticated call; a 401 triggers one refresh (the rotated tokens are saved) and a retry.
    @discardableResult
    func call(_ method: String, _ path: String, json: Any? = nil, headers: [(String, String)] = [], expect: Set<Int> = [200]) throws -> Any? {
        try callRaw(method, path, json: json, headers: headers, expect: expect).body
    }

    func callRaw(_ method: String, _ path: String, json: Any? = nil, headers: [(String, String)] = [], expect: Set<Int> = [200]) throws
        -> (body: Any?, raw: [UInt8])
    {
        guard var session = store.session else { throw ClientError.notLoggedIn }
        let connection = Connection(server: session.server, caFile: session.caFile, insecure: session.insecure)
        var result = try send(connection, method, path, json: json, token: session.accessToken, headers: headers)
        if result.status == 401 {
            let refreshed = try send(connection, "POST", "/auth/refresh", json: ["refresh_token": session.refreshToken])
            guard refreshed.status == 200, let tokens = refreshed.body as? [String: Any], let access = tokens["access_token"] as? String,
                let refresh = tokens["refresh_token"] as? String
            else {
                store.clearSession()
                throw ClientError.notLoggedIn
            }
            session.accessToken = access
            session.refreshToken = refresh
            try store.save(session)
            result = try send(connection, method, path, json: json, token: access, headers: headers)
        }
        guard expect.contains(result.status) else { throw Self.problem(result.status, result.body) }
        return (result.body, result.raw)
    }

    // MARK: - Accounts

    public func signup(server: String, email: String, password: String, caFile: String? = nil, insecure: Bool = false) throws {
        let result = try send(
            Connection(server: server, caFile: caFile, insecure: insecure), "POST", "/auth/signup", json: ["email": email, "password": password])
        guard result.status == 201 else { throw Self.problem(result.status, result.body) }
    }

    /// What `login` learned: the Secret Key when this device just made one (the first device of an
    /// account without end-to-end vaults): show it to the user once, as the emergency kit.
    public struct LoginResult: Sendable {
        public var newSecretKey: E2E.SecretKey?
    }

    /// Signs in (asking `secondFactor` for a code when the account has two-factor on) and keeps
    /// the session. `secretKey` is needed once per device for accounts with end-to-end vaults.
    public func login(
        server: String, email: String, password: String, secretKey: String? = nil, caFile: String? = nil, insecure: Bool = false,
        secondFactor: () throws -> String = { throw ClientError.usage("this account needs a two-factor code") }
    ) throws -> LoginResult {
        let connection = Connection(server: server, caFile: caFile, insecure: insecure)
        var result = try send(connection, "POST", "/auth/login", json: ["email": email, "password": password])
        if result.status == 200, let body = result.body as? [String: Any], body["two_factor_required"] as? Bool == true,
            let challenge = body["challenge_token"] as? String
        {
            result = try send(connection, "POST", "/auth/verify-2fa", json: ["challenge_token": challenge, "code": try secondFactor()])
        }
        guard result.status == 200, let tokens = result.body as? [String: Any], let access = tokens["access_token"] as? String,
            let refresh = tokens["refresh_token"] as? String
        else { throw Self.problem(result.status, result.body) }
        let me = try send(connection, "GET", "/auth/me", token: access)
        guard me.status == 200, let user = me.body as? [String: Any], let userID = user["id"] as? String else {
            throw Self.problem(me.status, me.body)
        }
        try store.save(
            ClientStore.Session(
                server: server, email: email, userID: userID, accessToken: access, refreshToken: refresh, caFile: caFile, insecure: insecure))
        if let secretKey {
            try store.saveSecretKey(try E2E.SecretKey(parsing: secretKey), server: server, email: email)
            return LoginResult(newSecretKey: nil)
        }
        if store.secretKey(server: server, email: email) != nil { return LoginResult(newSecretKey: nil) }
        if try vaults().contains(where: \.endToEnd) {
            // Another device made this account's Secret Key; it cannot be derived, only entered.
            throw ClientError.secretKeyNeeded
        }
        let fresh = E2E.SecretKey.generate()
        try store.saveSecretKey(fresh, server: server, email: email)
        return LoginResult(newSecretKey: fresh)
    }

    public func logout() throws {
        if let session = store.session {
            _ = try? call("POST", "/auth/logout", json: ["refresh_token": session.refreshToken], expect: [204, 200])
        }
        store.clearSession()
    }

    public func secretKey() throws -> E2E.SecretKey {
        guard let session = store.session else { throw ClientError.notLoggedIn }
        guard let key = store.secretKey(server: session.server, email: session.email) else { throw ClientError.secretKeyNeeded }
        return key
    }

    // MARK: - Keys

    func masterKey(password: String) throws -> SymmetricKey {
        guard let session = store.session else { throw ClientError.notLoggedIn }
        let email = session.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? session.email
        let result = try send(
            Connection(server: session.server, caFile: session.caFile, insecure: session.insecure), "GET", "/auth/prelogin?email=\(email)")
        guard result.status == 200, let body = result.body as? [String: Any], let saltText = body["salt"] as? String,
            let salt = Base64URL.decode(saltText), let iterations = body["iterations"] as? Int, let memory = body["memory_kib"] as? Int,
            let parallelism = body["parallelism"] as? Int
        else { throw Self.problem(result.status, result.body) }
        return try E2E.masterKey(
            password: password, salt: salt,
            parameters: Argon2id.Parameters(iterations: UInt32(iterations), memoryKiB: UInt32(memory), parallelism: UInt32(parallelism)),
            secretKey: try secretKey())
    }

    /// Every end-to-end vault's key, unwrapped with the master key (from the password), or from
    /// the keys `unlock` sealed under `session`.
    public func vaultKeys(password: String? = nil, session: String? = nil) throws -> [String: SymmetricKey] {
        guard let current = store.session else { throw ClientError.notLoggedIn }
        if let session, password == nil { return try store.openUnlocked(session: session, userID: current.userID) }
        guard let password else { throw ClientError.locked }
        let master = try masterKey(password: password)
        var keys: [String: SymmetricKey] = [:]
        for vault in try vaults() where vault.endToEnd {
            guard let wrapped = vault.wrappedKey else { continue }
            let raw = try E2E.open(wrapped, key: master, aad: E2E.vaultKeyAAD(userID: current.userID), what: "the key of vault \(vault.name)")
            keys[vault.id] = try SymmetricKey(bytes: raw)
        }
        return keys
    }

    /// `kh unlock`: seals the vault keys under a fresh key and returns it for `KH_SESSION`.
    public func unlock(password: String) throws -> String {
        guard let current = store.session else { throw ClientError.notLoggedIn }
        return try store.sealUnlocked(try vaultKeys(password: password), userID: current.userID)
    }

    // MARK: - Vaults and items

    public func vaults() throws -> [Vault] {
        let body = try call("GET", "/vaults") as? [String: Any]
        let list = (body?["items"] as? [[String: Any]]) ?? (body?["vaults"] as? [[String: Any]]) ?? []
        return list.compactMap { object in
            guard let id = object["id"] as? String else { return nil }
            return Vault(
                id: id, name: object["name"] as? String ?? "", endToEnd: object["encryption"] as? String == "client",
                wrappedKey: object["wrapped_key"] as? String)
        }
    }

    public func createVault(name: String, endToEnd: Bool, password: String? = nil) throws -> Vault {
        var body: [String: Any] = ["name": name, "encryption": endToEnd ? "client" : "server"]
        if endToEnd {
            guard let password, let session = store.session else { throw ClientError.locked }
            let vaultKey = SymmetricKey.generate()
            body["wrapped_key"] = try E2E.seal(vaultKey.bytes, key: try masterKey(password: password), aad: E2E.vaultKeyAAD(userID: session.userID))
        }
        guard let object = try call("POST", "/vaults", json: body, expect: [201]) as? [String: Any], let id = object["id"] as? String else {
            throw ClientError.server(500, "bad_response", "the server did not return the vault")
        }
        return Vault(id: id, name: name, endToEnd: endToEnd, wrappedKey: object["wrapped_key"] as? String)
    }

    public func vault(named nameOrID: String) throws -> Vault {
        let all = try vaults()
        guard let found = all.first(where: { $0.id == nameOrID }) ?? all.first(where: { $0.name == nameOrID }) else {
            throw ClientError.notFound("vault \(nameOrID)")
        }
        return found
    }

    /// Fields as sent: end-to-end vaults get one envelope per field, AAD `<vault id>:<field>`.
    func outgoing(_ fields: [String: String], vault: Vault, keys: [String: SymmetricKey]) throws -> [String: Any] {
        var body: [String: Any] = ["vault_id": vault.id]
        for (name, value) in fields where Self.fieldNames.contains(name) {
            if vault.endToEnd {
                guard let key = keys[vault.id] else { throw ClientError.locked }
                body[name] = try E2E.seal(Array(value.utf8), key: key, aad: E2E.fieldAAD(vaultID: vault.id, field: name))
            } else {
                body[name] = value
            }
        }
        return body
    }

    func incoming(_ object: [String: Any], vaults: [String: Vault], keys: [String: SymmetricKey]) throws -> Item {
        guard let id = object["id"] as? String, let vaultID = object["vault_id"] as? String else {
            throw ClientError.server(500, "bad_response", "an item without id")
        }
        var fields: [String: String] = [:]
        let endToEnd = vaults[vaultID]?.endToEnd ?? false
        for name in Self.fieldNames {
            guard let value = object[name] as? String else { continue }
            if endToEnd {
                guard let key = keys[vaultID] else { throw ClientError.locked }
                fields[name] = String(
                    decoding: try E2E.open(value, key: key, aad: E2E.fieldAAD(vaultID: vaultID, field: name), what: "the \(name) of item \(id)"),
                    as: UTF8.self)
            } else {
                fields[name] = value
            }
        }
        return Item(id: id, vaultID: vaultID, fields: fields, version: (object["version"] as? Int) ?? 1)
    }

    public func addItem(_ fields: [String: String], vault: Vault, keys: [String: SymmetricKey] = [:]) throws -> Item {
        guard let object = try call("POST", "/passwords", json: try outgoing(fields, vault: vault, keys: keys), expect: [201]) as? [String: Any]
        else { throw ClientError.server(500, "bad_response", "no item returned") }
        return try incoming(object, vaults: [vault.id: vault], keys: keys)
    }

    public func item(_ id: String, keys: [String: SymmetricKey] = [:]) throws -> Item {
        guard let object = try call("GET", "/passwords/\(Self.pathComponent(id))") as? [String: Any] else { throw ClientError.notFound("item \(id)") }
        return try incoming(object, vaults: Dictionary(uniqueKeysWithValues: try vaults().map { ($0.id, $0) }), keys: keys)
    }

    /// Replaces the given fields (others kept), with `If-Match` on the version read.
    public func editItem(_ id: String, changes: [String: String], keys: [String: SymmetricKey] = [:]) throws -> Item {
        let current = try item(id, keys: keys)
        let vault = try self.vault(named: current.vaultID)
        let merged = current.fields.merging(changes) { $1 }
        guard
            let object = try call(
                "PUT", "/passwords/\(Self.pathComponent(id))", json: try outgoing(merged, vault: vault, keys: keys),
                headers: [("If-Match", "\"\(current.version)\"")]) as? [String: Any]
        else { throw ClientError.notFound("item \(id)") }
        return try incoming(object, vaults: [vault.id: vault], keys: keys)
    }

    public func deleteItem(_ id: String) throws { try call("DELETE", "/passwords/\(Self.pathComponent(id))", expect: [204]) }

    /// Every item (all pages), decrypted; `search` matches title and website, for end-to-end
    /// vaults here on the client.
    public func items(vault: Vault? = nil, search: String? = nil, keys: [String: SymmetricKey] = [:]) throws -> [Item] {
        let vaultList = try vaults()
        let byID = Dictionary(uniqueKeysWithValues: vaultList.map { ($0.id, $0) })
        var result: [Item] = []
        var cursor: String?
        repeat {
            var path = "/passwords?limit=200"
            if let vault { path += "&vault_id=\(Self.pathComponent(vault.id))" }
            if let cursor { path += "&cursor=\(Self.pathComponent(cursor))" }
            let page = try call("GET", path) as? [String: Any]
            for object in (page?["items"] as? [[String: Any]]) ?? [] {
                if let vaultID = object["vault_id"] as? String, byID[vaultID]?.endToEnd == true, keys[vaultID] == nil { continue }
                result.append(try incoming(object, vaults: byID, keys: keys))
            }
            cursor = page?["next_cursor"] as? String
        } while cursor != nil
        guard let search = search?.lowercased(), !search.isEmpty else { return result }
        return result.filter {
            ($0.fields["title"] ?? "").lowercased().contains(search) || ($0.fields["website"] ?? "").lowercased().contains(search)
        }
    }

    // MARK: - Health, export, import, GitHub

    public struct Health: Sendable {
        public var weak: [(id: String, reasons: [String])]
        public var reused: [[String]]
    }

    /// Weak and reused passwords: the server's report for server-encrypted vaults, merged with the
    /// same rules computed here over end-to-end items.
    public func health(keys: [String: SymmetricKey] = [:]) throws -> Health {
        let server = try call("GET", "/passwords/health") as? [String: Any]
        var weak = ((server?["weak"] as? [[String: Any]]) ?? []).compactMap { entry -> (String, [String])? in
            guard let id = entry["id"] as? String else { return nil }
            return (id, entry["reasons"] as? [String] ?? [])
        }
        var reused = ((server?["reused"] as? [[String: Any]]) ?? []).compactMap { $0["item_ids"] as? [String] }
        let endToEnd = Set(try vaults().filter(\.endToEnd).map(\.id))
        var byPassword: [[UInt8]: [String]] = [:]
        for item in try items(keys: keys) where endToEnd.contains(item.vaultID) {
            let password = item.fields["password"] ?? ""
            let reasons = LocalHealth.weaknesses(of: password)
            if !reasons.isEmpty { weak.append((item.id, reasons)) }
            byPassword[SHA256.hash(Array(password.utf8)), default: []].append(item.id)
        }
        reused += byPassword.values.filter { $0.count > 1 }
        return Health(weak: weak, reused: reused)
    }

    public func export(password: String, format: String, exportPassword: String?, code: String? = nil) throws -> [UInt8] {
        var body: [String: Any] = ["password": password, "format": format]
        if let exportPassword { body["export_password"] = exportPassword }
        if format != "keyhaven" { body["confirm_plaintext"] = true }
        if let code { body["code"] = code }
        return try callRaw("POST", "/export", json: body).raw
    }

    public func importData(_ data: String, format: String, exportPassword: String?, vault: Vault?) throws -> Any? {
        var body: [String: Any] = ["format": format, "data": data]
        if let exportPassword { body["export_password"] = exportPassword }
        if let vault { body["vault_id"] = vault.id }
        return try call("POST", "/import", json: body)
    }

    public func githubLinkURL() throws -> String {
        guard let body = try call("GET", "/auth/github/login") as? [String: Any], let url = body["authorize_url"] as? String else {
            throw ClientError.server(500, "bad_response", "no authorize_url")
        }
        return url
    }

    public func githubRepos() throws -> [String] {
        var names: [String] = []
        var cursor: String?
        repeat {
            let page = try call("GET", "/github/repos?limit=100" + (cursor.map { "&cursor=\(Self.pathComponent($0))" } ?? "")) as? [String: Any]
            names += ((page?["items"] as? [[String: Any]]) ?? []).compactMap { $0["full_name"] as? String }
            cursor = page?["next_cursor"] as? String
        } while cursor != nil
        return names
    }

    public func githubScan(_ repositories: [String]) throws -> String {
        guard let body = try call("POST", "/github/scan", json: ["repositories": repositories], expect: [202]) as? [String: Any],
            let id = body["scan_id"] as? String
        else { throw ClientError.server(500, "bad_response", "no scan_id") }
        return id
    }

    public func githubScanStatus(_ id: String) throws -> [String: Any] {
        (try call("GET", "/github/scans/\(Self.pathComponent(id))") as? [String: Any]) ?? [:]
    }

    public func githubFindings(scanID: String?) throws -> [[String: Any]] {
        let query = scanID.map { "&scan_id=\(Self.pathComponent($0))" } ?? ""
        return ((try call("GET", "/github/scan-results?limit=200" + query) as? [String: Any])?["items"] as? [[String: Any]]) ?? []
    }

    static func pathComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? value
    }
}

/// The server's weakness rules, applied on the client to end-to-end items (README: "Password health").
enum LocalHealth {
    static func weaknesses(of password: String) -> [String] {
        var reasons: [String] = []
        if password.count < PasswordStrength.minimumLength { reasons.append("too_short") }
        if PasswordStrength.estimatedBits(password) < PasswordStrength.minimumBits { reasons.append("low_strength") }
        return reasons
    }
}
