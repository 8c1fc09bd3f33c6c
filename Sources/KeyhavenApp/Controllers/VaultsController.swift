import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// `/vaults`: every user has a default vault; more can be made, server-encrypted or end-to-end.
/// A vault that still holds items cannot be deleted (409 `vault_not_empty`), so no item is ever
/// lost by accident; nor can a user's only vault.
struct VaultsController {
    let vaultRepository: any VaultRepository
    let vaults: VaultService
    let audit: AuditRecorder
    let authenticator: Authenticator

    func register(on router: inout Router) {
        router.get("/vaults", handler: authenticator.require { _, context in try list(context) })
        router.post("/vaults", handler: authenticator.require { request, context in try create(request, context) })
        router.put("/vaults/{id}", handler: authenticator.require { request, context in try update(request, context) })
        router.delete("/vaults/{id}", handler: authenticator.require { request, context in try remove(request, context) })
    }

    struct VaultInput: RequestBody {
        static let fieldNames: Set<String> = ["name", "encryption", "wrapped_key"]
        var name: String
        var encryption: String?
        /// End-to-end vaults: the vault key wrapped by the client's master key, as a `kh1.` envelope.
        var wrappedKey: String?
    }

    private func list(_ context: AuthenticatedContext) throws -> Response {
        _ = try vaults.defaultVault(for: context.user.id)
        var writer = JSONWriter()
        writer.beginObject()
        writer.beginArray(key: "items")
        for vault in try vaultRepository.list(userID: context.user.id) { try vaults.present(vault).write(to: &writer) }
        writer.endArray()
        writer.field("next_cursor", nil as String?)
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    private func create(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let input = try request.decode(VaultInput.self)
        let encryption = try Self.encryption(input.encryption)
        try Self.validate(input, encryption: encryption)
        _ = try vaults.defaultVault(for: context.user.id)
        let vault = try vaults.create(for: context.user.id, name: input.name, encryption: encryption, wrappedKey: input.wrappedKey)
        try audit.record(.vaultCreated, user: context.user.id, context.request, request, detail: "vault \(vault.id.rawValue) \(encryption.rawValue)")
        return present(try vaults.present(vault), status: 201, location: "/vaults/\(vault.id.rawValue)")
    }

    private func update(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let vault = try find(context)
        let input = try request.decode(VaultInput.self)
        if let requested = input.encryption, requested != vault.encryption.rawValue {
            throw HTTPError.validationFailed([.init(field: "encryption", message: "a vault's encryption cannot change")])
        }
        try Self.validate(input, encryption: vault.encryption, requireWrappedKey: false)
        let updated = try vaults.rename(vault, to: input.name, wrappedKey: input.wrappedKey)
        try audit.record(.vaultUpdated, user: context.user.id, context.request, request, detail: "vault \(vault.id.rawValue)")
        return present(try vaults.present(updated), status: 200, location: nil)
    }

    private func remove(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let vault = try find(context)
        if try vaultRepository.list(userID: context.user.id).count == 1 {
            throw HTTPError.conflict("A user's only vault cannot be deleted.", code: "last_vault")
        }
        guard try vaultRepository.delete(id: vault.id, userID: context.user.id) else {
            throw HTTPError.conflict("The vault still holds items; delete or move them first.", code: "vault_not_empty")
        }
        try audit.record(.vaultDeleted, user: context.user.id, context.request, request, detail: "vault \(vault.id.rawValue)")
        return .noContent
    }

    private func find(_ context: AuthenticatedContext) throws -> Vault {
        guard let vault = try vaultRepository.find(id: VaultID(try context.request.parameter("id")), userID: context.user.id) else {
            throw HTTPError.notFound("No such vault.")
        }
        return vault
    }

    private func present(_ vault: VaultService.Presented, status: Int, location: String?) -> Response {
        var writer = JSONWriter()
        vault.write(to: &writer)
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let location { headers.add(name: "Location", value: location) }
        return Response(status: status, headers: headers, body: writer.bytes)
    }

    private static func encryption(_ text: String?) throws -> Vault.Encryption {
        guard let text else { return .server }
        guard let encryption = Vault.Encryption(rawValue: text) else {
            throw HTTPError.validationFailed([.init(field: "encryption", message: "must be server or client")])
        }
        return encryption
    }

    private static func validate(_ input: VaultInput, encryption: Vault.Encryption, requireWrappedKey: Bool = true) throws {
        var errors: [HTTPError.FieldError] = []
        if input.name.trimmingCharacters(in: .whitespaces).isEmpty || input.name.count > 200 {
            errors.append(.init(field: "name", message: "must be 1 to 200 characters"))
        }
        switch (encryption, input.wrappedKey) {
        case (.server, .some):
            errors.append(.init(field: "wrapped_key", message: "only end-to-end vaults have a client-wrapped key"))
        case (.client, .none) where requireWrappedKey:
            errors.append(.init(field: "wrapped_key", message: "is required for an end-to-end vault"))
        case (.client, .some(let key)) where !Envelope.isValid(key) || key.count > 1024:
            errors.append(.init(field: "wrapped_key", message: "must be a kh1 ciphertext envelope"))
        default:
            break
        }
        guard errors.isEmpty else { throw HTTPError.validationFailed(errors) }
    }
}

/// `GET /auth/prelogin?email=`: the end-to-end KDF parameters, readable before login. An unknown
/// address gets parameters derived from a server secret and the address: stable, and shaped
/// exactly like a real user's, so the answer does not reveal whether an account exists.
struct PreloginController {
    let users: any UserRepository
    let dataKeys: DataKeys
    let fakeSaltKey: [UInt8]
    let limiter: RateLimiter
    let settings: SecuritySettings

    static let parameters = Argon2id.Parameters(iterations: 3, memoryKiB: 65_536, parallelism: 4)

    func register(on router: inout Router) {
        router.get("/auth/prelogin") { request, context in
            try limiter.take(from: "prelogin:ip:\(context.clientAddress)", rule: settings.loginPerAddress)
            guard let raw = request.query["email"], !raw.isEmpty else {
                throw HTTPError.validationFailed([.init(field: "email", message: "is required")])
            }
            let emailKey = (try? EmailAddress.parse(raw).get().key) ?? raw.lowercased()
            let salt: [UInt8]
            if let user = try users.find(emailKey: emailKey) {
                salt = try dataKeys.kdfSalt(for: user.id)
            } else {
                salt = Array(HMACSHA256.authenticationCode(for: Array("prelogin:\(emailKey)".utf8), key: fakeSaltKey).prefix(16))
            }
            struct Prelogin: Encodable {
                var kdf = "argon2id"
                var salt: String
                var iterations: UInt32
                var memoryKib: UInt32
                var parallelism: UInt32
            }
            return try Response.json(
                Prelogin(
                    salt: Base64URL.encode(salt), iterations: Self.parameters.iterations, memoryKib: Self.parameters.memoryKiB,
                    parallelism: Self.parameters.parallelism))
        }
    }
}
