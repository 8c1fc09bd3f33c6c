import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// `POST /import`: our export (encrypted or JSON), Bitwarden's unencrypted JSON, or CSV from
/// Bitwarden, Chrome, Firefox, 1Password or KeePassXC. Atomic: if any row is invalid the answer is
/// 422 naming every bad row and nothing is imported, unless `skip_invalid` is set.
struct ImportController {
    let items: any ItemRepository
    let vaultRepository: any VaultRepository
    let vaults: VaultService
    let dataKeys: DataKeys
    let audit: AuditRecorder
    let authenticator: Authenticator
    let healthDigests: HealthDigests

    /// Imports may be large: 16 MiB, against 1 MiB for other requests.
    static let maximumBodyBytes = 16 << 20

    func register(on router: inout Router) {
        router.post(
            "/import", cpuIntensive: true, maximumBodyBytes: Self.maximumBodyBytes,
            handler: authenticator.require { request, context in try importItems(request, context) })
    }

    struct ImportBody: RequestBody {
        static let fieldNames: Set<String> = ["format", "data", "export_password", "vault_id", "skip_invalid", "skip_duplicates"]
        var format: String
        var exportPassword: String?
        var vaultId: String?
        var skipInvalid: Bool?
        var skipDuplicates: Bool?
    }

    /// Where a group of rows goes: an existing vault, or one to create.
    private enum Target {
        case existing(Vault)
        case new(name: String, encryption: Vault.Encryption, wrappedKey: String?)

        func isSame(as other: Target) -> Bool {
            switch (self, other) {
            case (.existing(let a), .existing(let b)): a.id == b.id
            case (.new(let a, let e, let w), .new(let b, let f, let x)): a == b && e == f && w == x
            default: false
            }
        }

        var encryption: Vault.Encryption {
            switch self {
            case .existing(let vault): vault.encryption
            case .new(_, let encryption, _): encryption
            }
        }
    }

    /// The request as JSON, or as `multipart/form-data` with a `file` part and the other fields
    /// as parts of the same names (`true`/`false` for the flags).
    private func parse(_ request: Request) throws -> (ImportBody, Any?) {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("multipart/form-data") == true else {
            let body = try request.decode(ImportBody.self)
            return (body, (try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])?["data"])
        }
        var fields: [String: String] = [:]
        var file: [UInt8]?
        for part in try request.multipartParts() {
            if part.name == "file" {
                file = part.body
            } else if ImportBody.fieldNames.contains(part.name) {
                fields[part.name] = String(decoding: part.body, as: UTF8.self)
            } else {
                throw HTTPError.validationFailed([.init(field: part.name, message: "unknown field")])
            }
        }
        guard let format = fields["format"], let file else {
            throw HTTPError.validationFailed([.init(field: fields["format"] == nil ? "format" : "file", message: "is required")])
        }
        let body = ImportBody(
            format: format, exportPassword: fields["export_password"], vaultId: fields["vault_id"], skipInvalid: fields["skip_invalid"] == "true",
            skipDuplicates: fields["skip_duplicates"] == "true")
        if format == "csv" { return (body, String(decoding: file, as: UTF8.self)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(file)) else {
            throw HTTPError.validationFailed([.init(field: "file", message: "is not valid JSON")])
        }
        return (body, object)
    }

    private func importItems(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let (body, data) = try parse(request)
        let userID = context.user.id
        var groups: [(Target, [ImportedRow])] = []
        do {
            switch body.format {
            case "keyhaven", "json":
                let document = try documentFrom(data, format: body.format, password: body.exportPassword)
                var row = 0
                for entry in document.vaults {
                    let target: Target
                    if entry.encryption == "client" {
                        target = .new(name: entry.name, encryption: .client, wrappedKey: entry.wrappedKey)
                    } else if let existing = try vaultRepository.list(userID: userID).map(vaults.present).first(where: {
                        $0.vault.encryption == .server && $0.name == entry.name
                    }) {
                        target = .existing(existing.vault)
                    } else {
                        target = .new(name: entry.name, encryption: .server, wrappedKey: nil)
                    }
                    groups.append(
                        (
                            target,
                            entry.items.map { item in
                                row += 1
                                return ImportedRow(
                                    row: row, title: item.title, website: item.website, username: item.username, password: item.password,
                                    notes: item.notes)
                            }
                        ))
                }
            case "bitwarden":
                guard let object = data as? [String: Any] else { throw ImportError(row: 0, message: "data must be the Bitwarden JSON export") }
                groups = [(.existing(try targetVault(body.vaultId, userID)), try ImportFormats.rows(fromBitwarden: object))]
            case "csv":
                guard let text = data as? String else { throw ImportError(row: 0, message: "data must be the CSV text") }
                groups = [(.existing(try targetVault(body.vaultId, userID)), try ImportFormats.rows(fromCSV: text))]
            default:
                throw HTTPError.validationFailed([.init(field: "format", message: "must be keyhaven, json, bitwarden or csv")])
            }
        } catch let error as ImportError {
            throw HTTPError.validationFailed([.init(field: error.row > 0 ? "rows[\(error.row)]" : "data", message: error.message)])
        }

        // Validate everything before writing anything.
        var errors: [HTTPError.FieldError] = []
        var skipped: [[String: Any]] = []
        var accepted: [(Target, ImportedRow, ItemPayload)] = []
        var seen = Set<[String]>()
        for (target, rows) in groups {
            let existing = body.skipDuplicates == true ? try existingKeys(target, userID) : []
            for row in rows {
                let input = ItemInput(title: row.title, website: row.website, username: row.username, password: row.password, notes: row.notes)
                do {
                    let payload = try input.validated(for: target.encryption)
                    let key = [payload.title, payload.website ?? "", payload.username ?? "", payload.password]
                    if body.skipDuplicates == true && (existing.contains(key) || seen.contains(key)) {
                        skipped.append(["row": row.row, "reason": "duplicate"])
                        continue
                    }
                    seen.insert(key)
                    accepted.append((target, row, payload))
                } catch let error as HTTPError {
                    let reasons = error.fieldErrors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
                    if body.skipInvalid == true {
                        skipped.append(["row": row.row, "reason": reasons])
                    } else {
                        errors += error.fieldErrors.map { .init(field: "rows[\(row.row)].\($0.field)", message: $0.message) }
                    }
                }
            }
        }
        guard errors.isEmpty else {
            throw HTTPError.validationFailed(errors, detail: "Nothing was imported: fix these rows or send skip_invalid.")
        }

        // Vaults to create, then every item in one transaction.
        let key = try dataKeys.key(for: userID)
        var created: [Int: Vault] = [:]
        var stored: [Item] = []
        let now = Date()
        for (index, (target, _)) in groups.enumerated() {
            if case .new(let name, let encryption, let wrappedKey) = target, accepted.contains(where: { $0.0.isSame(as: target) }) {
                created[index] = try vaults.create(for: userID, name: name, encryption: encryption, wrappedKey: wrappedKey)
            }
        }
        for (target, _, payload) in accepted {
            let vault: Vault
            switch target {
            case .existing(let existing): vault = existing
            case .new: vault = created[groups.firstIndex { $0.0.isSame(as: target) }!]!
            }
            let id = ItemID.generate()
            stored.append(
                Item(
                    id: id, userID: userID, vaultID: vault.id, version: 1,
                    sealedPayload: try payload.seal(userID: userID, itemID: id, version: 1, key: key),
                    passwordFingerprint: vault.encryption == .server ? PasswordsController.passwordFingerprint(payload.password, key: key) : nil,
                    createdAt: now, updatedAt: now))
        }
        try items.createAll(stored)
        healthDigests.markDirty(userID)
        try audit.record(
            .importMade, user: userID, context.request, request, detail: "\(body.format), \(stored.count) items, \(skipped.count) skipped")
        let result: [String: Any] = ["imported": stored.count, "skipped": skipped]
        return Response(
            status: 200, headers: ["Content-Type": "application/json"],
            body: Array(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])))
    }

    private func documentFrom(_ data: Any?, format: String, password: String?) throws -> ExportController.Document {
        guard let object = data as? [String: Any] else { throw ImportError(row: 0, message: "data must be a Keyhaven export") }
        let bytes = try JSONSerialization.data(withJSONObject: object)
        if format == "json" {
            guard let document = try? JSONCoding.decoder.decode(ExportController.Document.self, from: bytes) else {
                throw ImportError(row: 0, message: "is not a Keyhaven JSON export")
            }
            return document
        }
        guard let sealed = try? JSONCoding.decoder.decode(ExportController.Sealed.self, from: bytes), let salt = Base64URL.decode(sealed.kdf.salt),
            let ciphertext = Base64URL.decode(sealed.ciphertext), sealed.kdf.memoryKib <= 1 << 20, sealed.kdf.iterations <= 10
        else { throw ImportError(row: 0, message: "is not a Keyhaven encrypted export") }
        guard let password else {
            throw HTTPError.validationFailed([.init(field: "export_password", message: "is required for an encrypted export")])
        }
        let key = try SymmetricKey(
            bytes: try Argon2id.deriveKey(
                from: Array(password.utf8), salt: salt,
                parameters: .init(iterations: sealed.kdf.iterations, memoryKiB: sealed.kdf.memoryKib, parallelism: sealed.kdf.parallelism)))
        guard
            let plain = try? AES256GCM.open(
                try AES256GCM.SealedBox(combined: ciphertext), using: key, authenticating: Array("keyhaven-export-v1".utf8)),
            let document = try? JSONCoding.decoder.decode(ExportController.Document.self, from: Data(plain))
        else {
            throw HTTPError.validationFailed([.init(field: "export_password", message: "does not open this export (or the file was altered)")])
        }
        return document
    }

    private func targetVault(_ vaultID: String?, _ userID: UserID) throws -> Vault {
        guard let vaultID else { return try vaults.defaultVault(for: userID) }
        guard let vault = try vaultRepository.find(id: VaultID(vaultID), userID: userID) else {
            throw HTTPError.validationFailed([.init(field: "vault_id", message: "no such vault")])
        }
        return vault
    }

    private func existingKeys(_ target: Target, _ userID: UserID) throws -> Set<[String]> {
        guard case .existing(let vault) = target else { return [] }
        let opener = try AES256GCM.Opener(key: try dataKeys.key(for: userID))
        var keys = Set<[String]>()
        try items.forEachItem(userID: userID, vaultID: vault.id) { item in
            let payload = try ItemPayload.open(item, opener: opener)
            keys.insert([payload.title, payload.website ?? "", payload.username ?? "", payload.password])
        }
        return keys
    }
}
