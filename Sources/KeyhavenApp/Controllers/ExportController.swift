import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// `POST /export`: all of the user's vaults and items, re-authenticated with the account password
/// (and a current second-factor code when two-factor is on).
///
/// - `keyhaven`: encrypted. Argon2id (t=3, m=64 MiB, p=4, random 16-byte salt) over
///   `export_password` gives a 256-bit key; AES-256-GCM seals the JSON document with AAD
///   `keyhaven-export-v1`. Server-encrypted items are exported decrypted inside that ciphertext;
///   end-to-end vaults keep their envelopes and wrapped vault keys, so the user's master key still
///   opens them.
/// - `json`, `csv`: plaintext, for moving to another password manager; they need
///   `"confirm_plaintext": true`.
struct ExportController {
    let items: any ItemRepository
    let vaultRepository: any VaultRepository
    let vaults: VaultService
    let dataKeys: DataKeys
    let twoFactor: TwoFactorService
    let auth: AuthController
    let audit: AuditRecorder
    let notifier: Notifier
    let authenticator: Authenticator

    static let kdf = Argon2id.Parameters(iterations: 3, memoryKiB: 65_536, parallelism: 4)

    func register(on router: inout Router) {
        router.post("/export", cpuIntensive: true, handler: authenticator.require { request, context in try export(request, context) })
    }

    struct ExportBody: RequestBody {
        static let fieldNames: Set<String> = ["password", "code", "format", "export_password", "confirm_plaintext"]
        var password: String
        var code: String?
        var format: String
        var exportPassword: String?
        var confirmPlaintext: Bool?
    }

    struct Document: Codable, Equatable {
        struct VaultEntry: Codable, Equatable {
            var id: String
            var name: String
            var encryption: String
            var wrappedKey: String?
            var items: [ItemEntry]
        }
        struct ItemEntry: Codable, Equatable {
            var title: String
            var website: String?
            var username: String?
            var password: String
            var notes: String?
            var createdAt: Date
            var updatedAt: Date
        }
        var format = "keyhaven-vault-export"
        var version = 1
        var exportedAt: Date
        var vaults: [VaultEntry]
    }

    struct Sealed: Codable {
        struct KDF: Codable {
            var algorithm = "argon2id"
            var salt: String
            var iterations: UInt32
            var memoryKib: UInt32
            var parallelism: UInt32
        }
        var format = "keyhaven-encrypted-export"
        var version = 1
        var kdf: KDF
        /// base64url of nonce ‖ ciphertext ‖ tag.
        var ciphertext: String
    }

    private func export(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let body = try request.decode(ExportBody.self)
        var errors: [HTTPError.FieldError] = []
        switch body.format {
        case "keyhaven":
            if let problem = PasswordPolicy.problem(with: body.exportPassword ?? "", email: context.user.email) {
                errors.append(.init(field: "export_password", message: problem))
            }
        case "json", "csv":
            if body.confirmPlaintext != true {
                errors.append(.init(field: "confirm_plaintext", message: "must be true: this export is not encrypted"))
            }
        default:
            errors.append(.init(field: "format", message: "must be keyhaven, json or csv"))
        }
        guard errors.isEmpty else { throw HTTPError.validationFailed(errors) }
        try auth.verifyPassword(body.password, of: context, request, field: "password")
        if let factor = try twoFactor.repository.settings(userID: context.user.id), factor.enabled {
            guard let code = body.code,
                try twoFactor.verify(code, for: context.user, settings: factor, purpose: .reauthenticate, allowRecovery: true) != .refused
            else {
                throw HTTPError(
                    status: 403, code: "invalid_code", detail: "A current two-factor code is required to export.",
                    fieldErrors: [.init(field: "code", message: "is missing or not valid")])
            }
        }

        let document = try collect(context.user.id)
        let response: Response
        switch body.format {
        case "keyhaven":
            let salt = SecureRandom.bytes(count: 16)
            let key = try SymmetricKey(
                bytes: try Argon2id.deriveKey(from: Array((body.exportPassword ?? "").utf8), salt: salt, parameters: Self.kdf))
            let plaintext = Array(try JSONCoding.encoder.encode(document))
            let sealed = try AES256GCM.seal(plaintext, using: key, authenticating: Array("keyhaven-export-v1".utf8))
            let file = Sealed(
                kdf: .init(
                    salt: Base64URL.encode(salt), iterations: Self.kdf.iterations, memoryKib: Self.kdf.memoryKiB, parallelism: Self.kdf.parallelism),
                ciphertext: Base64URL.encode(sealed.combined))
            response = try Response.json(file, headers: ["Content-Disposition": "attachment; filename=\"keyhaven-export.json\""])
        case "json":
            response = try Response.json(document, headers: ["Content-Disposition": "attachment; filename=\"keyhaven-export-plaintext.json\""])
        default:
            response = Response(
                status: 200,
                headers: ["Content-Type": "text/csv; charset=utf-8", "Content-Disposition": "attachment; filename=\"keyhaven-export.csv\""],
                body: Array(Self.csv(document).utf8))
        }
        let count = document.vaults.reduce(0) { $0 + $1.items.count }
        try audit.record(.exportMade, user: context.user.id, context.request, request, detail: "\(body.format), \(count) items")
        notifier.notify(
            context.user, .exportMade, title: "Your vault was exported",
            body:
                "An export of your vault (\(body.format), \(count) items) was made from \(context.request.clientAddress). If this was not you, change your password now."
        )
        return response
    }

    private func collect(_ userID: UserID) throws -> Document {
        let opener = try AES256GCM.Opener(key: try dataKeys.key(for: userID))
        var entries: [Document.VaultEntry] = []
        for vault in try vaultRepository.list(userID: userID) {
            let presented = try vaults.present(vault)
            var entry = Document.VaultEntry(
                id: vault.id.rawValue, name: presented.name, encryption: vault.encryption.rawValue, wrappedKey: presented.wrappedKey, items: [])
            try items.forEachItem(userID: userID, vaultID: vault.id) { item in
                let payload = try ItemPayload.open(item, opener: opener)
                entry.items.append(
                    .init(
                        title: payload.title, website: payload.website, username: payload.username, password: payload.password, notes: payload.notes,
                        createdAt: item.createdAt, updatedAt: item.updatedAt))
            }
            entries.append(entry)
        }
        return Document(exportedAt: Date(), vaults: entries)
    }

    /// `vault,name,url,username,password,notes`, every field quoted (RFC 4180). Values are
    /// written exactly as stored, formula-like ones included: a password export must round-trip
    /// byte for byte (the README warns against opening it in a spreadsheet).
    static func csv(_ document: Document) -> String {
        func field(_ value: String?) -> String {
            "\"" + (value ?? "").replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var lines = ["vault,name,url,username,password,notes"]
        for vault in document.vaults {
            for item in vault.items {
                lines.append([vault.name, item.title, item.website, item.username, item.password, item.notes].map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
