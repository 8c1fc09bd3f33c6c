import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// `/passwords`: the items of the user's vaults, sealed at rest (see `ItemPayload`).
struct PasswordsController {
    let items: any ItemRepository
    let vaultRepository: any VaultRepository
    let vaults: VaultService
    let dataKeys: DataKeys
    let cursors: CursorSigner
    let audit: AuditRecorder
    let notifier: Notifier
    let healthDigests: HealthDigests
    let authenticator: Authenticator

    func register(on router: inout Router) {
        // The reads: session, data key and items from one snapshot.
        router.get("/passwords", handler: authenticator.requireReading { request, context in try list(request, context) })
        router.post("/passwords", handler: authenticator.require { request, context in try create(request, context) })
        router.get("/passwords/health", handler: authenticator.require { _, context in try health(context) })
        router.get("/passwords/{id}", handler: authenticator.requireReading { request, context in try read(request, context) })
        router.put("/passwords/{id}", handler: authenticator.require { request, context in try replace(request, context) })
        router.delete("/passwords/{id}", handler: authenticator.require { request, context in try remove(request, context) })
    }

    // MARK: - Handlers

    private func create(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let input = try request.decode(ItemInput.self)
        let vault = try targetVault(input.vaultId, context)
        let payload = try input.validated(for: vault.encryption)
        let key = try dataKeys.key(for: context.user.id)
        let now = Date()
        let id = ItemID.generate()
        let item = try items.create(
            Item(
                id: id, userID: context.user.id, vaultID: vault.id, version: 1,
                sealedPayload: try payload.seal(userID: context.user.id, itemID: id, version: 1, key: key),
                passwordFingerprint: fingerprint(payload, vault: vault, key: key), createdAt: now, updatedAt: now))
        try audit.record(.itemCreated, user: context.user.id, context.request, request, detail: "item \(id.rawValue)")
        notifyItemChanged(context, verb: "added", itemID: id)
        return try itemResponse(item, key: key, status: 201, location: true)
    }

    private func read(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let item = try find(request, context)
        return try itemResponse(item, key: try dataKeys.key(for: context.user.id), status: 200, location: false)
    }

    private func replace(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let current = try find(request, context)
        try checkPrecondition(request, current)
        let input = try request.decode(ItemInput.self)
        let currentVault = try vaultRepository.find(id: current.vaultID, userID: context.user.id)
        let vault = input.vaultId == nil ? try currentVault ?? vaults.defaultVault(for: context.user.id) : try targetVault(input.vaultId, context)
        if let currentVault, currentVault.encryption != vault.encryption {
            throw HTTPError.validationFailed([
                .init(field: "vault_id", message: "an item cannot move between a server-encrypted and an end-to-end vault")
            ])
        }
        let payload = try input.validated(for: vault.encryption)
        let key = try dataKeys.key(for: context.user.id)
        var updated = current
        updated.vaultID = vault.id
        updated.version = current.version + 1
        updated.sealedPayload = try payload.seal(userID: context.user.id, itemID: current.id, version: updated.version, key: key)
        updated.passwordFingerprint = fingerprint(payload, vault: vault, key: key)
        updated.updatedAt = Date()
        switch try items.update(updated, expectedVersion: current.version) {
        case .updated(let stored):
            try audit.record(.itemUpdated, user: context.user.id, context.request, request, detail: "item \(current.id.rawValue)")
            notifyItemChanged(context, verb: "updated", itemID: current.id)
            return try itemResponse(stored, key: key, status: 200, location: false)
        case .notFound:
            throw HTTPError.notFound()
        case .versionMismatch:
            throw HTTPError.preconditionFailed("The item changed since it was read; fetch it again.")
        }
    }

    private func remove(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let item = try find(request, context)
        try checkPrecondition(request, item)
        guard try items.delete(id: item.id, userID: context.user.id) else { throw HTTPError.notFound() }
        healthDigests.markDirty(context.user.id)
        try audit.record(.itemDeleted, user: context.user.id, context.request, request, detail: "item \(item.id.rawValue)")
        return .noContent
    }

    private func list(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let page = try PageRequest(request)
        let userID = context.user.id
        var after = try page.cursor.map { try cursors.sequence(from: $0, userID: userID) }
        var vaultFilter: VaultID?
        if let vaultText = request.query["vault_id"] {
            guard let vault = try vaultRepository.find(id: VaultID(vaultText), userID: userID) else { throw HTTPError.notFound("No such vault.") }
            vaultFilter = vault.id
        }
        let query = request.query["q"].map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let opener = try AES256GCM.Opener(key: try dataKeys.key(for: userID))
        var scratch: [UInt8] = []
        var writer = JSONWriter(capacity: 256 + page.limit * 640)  // a realistic item renders to ~500 bytes: no regrowth
        writer.beginObject()
        writer.beginArray(key: "items")
        var written = 0
        var more = false
        if let query {
            // Search looks at title and website of server-encrypted items only, in batches.
            let clientVaults = Set(try vaultRepository.list(userID: userID).filter { $0.encryption == .client }.map(\.id))
            scan: while true {
                let batch = try items.list(userID: userID, vaultID: vaultFilter, afterSequence: after, limit: 500)
                for item in batch {
                    if written == page.limit {
                        more = true
                        break scan
                    }
                    guard !clientVaults.contains(item.vaultID) else {
                        after = item.sequence
                        continue
                    }
                    let payload = try ItemPayload.open(item, opener: opener)
                    if payload.title.lowercased().contains(query) || (payload.website?.lowercased().contains(query) ?? false) {
                        try Self.write(item, opener: opener, scratch: &scratch, to: &writer)
                        written += 1
                    }
                    after = item.sequence
                }
                if batch.count < 500 { break }
            }
        } else {
            // The common case: one query, each row decrypted from the database's buffer into the response.
            try items.forEachStored(userID: userID, vaultID: vaultFilter, afterSequence: after, limit: page.limit + 1) { stored in
                guard written < page.limit else {
                    more = true
                    return
                }
                try Self.write(stored, userID: userID, opener: opener, scratch: &scratch, to: &writer)
                written += 1
                after = stored.sequence
            }
        }
        writer.endArray()
        writer.field("next_cursor", more ? after.map { cursors.cursor(sequence: $0, userID: userID) } : nil)
        writer.endObject()
        return Response(status: 200, headers: ["Content-Type": "application/json"], body: writer.bytes)
    }

    private func health(_ context: AuthenticatedContext) throws -> Response {
        let report = try PasswordHealthReport.make(
            userID: context.user.id, items: items, vaultRepository: vaultRepository, dataKeys: dataKeys)
        struct Body: Encodable {
            struct Weak: Encodable {
                var id: String
                var reasons: [String]
            }
            struct Reused: Encodable { var itemIds: [String] }
            var checkedItems: Int
            var skippedEndToEndItems: Int
            var weak: [Weak]
            var reused: [Reused]
        }
        return try Response.json(
            Body(
                checkedItems: report.checked, skippedEndToEndItems: report.skipped,
                weak: report.weak.map { Body.Weak(id: $0.id.rawValue, reasons: $0.reasons) },
                reused: report.reused.map { Body.Reused(itemIds: $0.map(\.rawValue)) }))
    }

    // MARK: - Helpers

    /// Names the item by id only: titles are vault data, and notifications are stored in the
    /// clear and sent by email, where the vault's encryption does not reach.
    private func notifyItemChanged(_ context: AuthenticatedContext, verb: String, itemID: ItemID) {
        healthDigests.markDirty(context.user.id)
        notifier.notify(
            context.user, .itemChanged, title: "Password \(verb)",
            body: "A password item (\(itemID.rawValue)) was \(verb) in your vault from \(context.request.clientAddress).")
    }

    /// The item named in the path, if it is the caller's: another user's id is 404, like a missing one.
    private func find(_ request: Request, _ context: AuthenticatedContext) throws -> Item {
        guard let item = try items.find(id: ItemID(try context.request.parameter("id")), userID: context.user.id) else {
            throw HTTPError.notFound("No such item.")
        }
        return item
    }

    private func targetVault(_ vaultID: String?, _ context: AuthenticatedContext) throws -> Vault {
        guard let vaultID else { return try vaults.defaultVault(for: context.user.id) }
        guard let vault = try vaultRepository.find(id: VaultID(vaultID), userID: context.user.id) else {
            throw HTTPError.validationFailed([.init(field: "vault_id", message: "no such vault")])
        }
        return vault
    }

    /// `If-Match`: `*` or a list of entity tags, one of which must be the item's current one.
    private func checkPrecondition(_ request: Request, _ item: Item) throws {
        guard let header = request.headers["If-Match"] else { return }
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard tags.contains("*") || tags.contains(Self.etag(item)) else {
            throw HTTPError.preconditionFailed("The item changed since it was read (its ETag is now \(Self.etag(item))).")
        }
    }

    /// Keyed with a key derived from the user's data key: equal passwords give equal fingerprints
    /// for this user only, and the database alone cannot be used to test guesses.
    private func fingerprint(_ payload: ItemPayload, vault: Vault, key: SymmetricKey) -> String? {
        vault.encryption == .server ? Self.passwordFingerprint(payload.password, key: key) : nil
    }

    static func passwordFingerprint(_ password: String, key: SymmetricKey) -> String? {
        guard
            let fingerprintKey = try? HKDFSHA256.deriveKey(
                from: key.bytes, salt: [], info: Array("password-fingerprint-v1".utf8), outputByteCount: 32)
        else { return nil }
        return HMACSHA256.authenticationCode(for: Array(password.utf8), key: fingerprintKey).hexString
    }

    private static func etag(_ item: Item) -> String { "\"\(item.version)\"" }

    private func itemResponse(_ item: Item, key: SymmetricKey, status: Int, location: Bool) throws -> Response {
        var writer = JSONWriter()
        var scratch: [UInt8] = []
        try Self.write(item, opener: try AES256GCM.Opener(key: key), scratch: &scratch, to: &writer)
        var headers: HTTPHeaders = ["Content-Type": "application/json", "ETag": Self.etag(item)]
        if location { headers.add(name: "Location", value: "/passwords/\(item.id.rawValue)") }
        return Response(status: status, headers: headers, body: writer.bytes)
    }

    private static func write(_ item: Item, opener: AES256GCM.Opener, scratch: inout [UInt8], to writer: inout JSONWriter) throws {
        try item.withStoredColumns { try write($0, userID: item.userID, opener: opener, scratch: &scratch, to: &writer) }
    }

    /// The API form of an item: ids, the decrypted members, timestamps, version.
    private static func write(
        _ stored: StoredItemColumns, userID: UserID, opener: AES256GCM.Opener, scratch: inout [UInt8], to writer: inout JSONWriter
    ) throws {
        writer.beginObject()
        writer.field("id", utf8: stored.id)
        writer.field("vault_id", utf8: stored.vaultID)
        try writer.members { output in
            try ItemPayload.appendMembers(of: stored, userID: userID, opener: opener, scratch: &scratch, to: &output)
        }
        writer.timestamp("created_at", unixSeconds: stored.createdAt)
        writer.timestamp("updated_at", unixSeconds: stored.updatedAt)
        writer.field("version", stored.version)
        writer.endObject()
    }
}

/// Pagination cursors bound to the user with a MAC, so a cursor is useless in anyone else's hands.
/// A cursor is base64url of `<position>.<mac>`; the position is whatever the list orders by.
struct CursorSigner: Sendable {
    let key: [UInt8]

    func cursor(position: String, userID: UserID) -> String {
        PageRequest.encodeCursor("\(position).\(mac(position, userID))")
    }

    /// The position of a cursor (already base64url-decoded by `PageRequest`), or 400.
    func position(from cursor: String, userID: UserID) throws -> String {
        guard let dot = cursor.lastIndex(of: "."),
            constantTimeEquals(Array(cursor[cursor.index(after: dot)...].utf8), Array(mac(String(cursor[..<dot]), userID).utf8))
        else { throw HTTPError.badRequest("The cursor is not one this server issued for you.", code: "invalid_cursor") }
        return String(cursor[..<dot])
    }

    func cursor(sequence: Int64, userID: UserID) -> String { cursor(position: String(sequence), userID: userID) }

    func sequence(from cursor: String, userID: UserID) throws -> Int64 {
        guard let sequence = Int64(try position(from: cursor, userID: userID)) else {
            throw HTTPError.badRequest("The cursor is not one this server issued for you.", code: "invalid_cursor")
        }
        return sequence
    }

    private func mac(_ position: String, _ userID: UserID) -> String {
        String(HMACSHA256.authenticationCode(for: Array("\(userID.rawValue):\(position)".utf8), key: key).hexString.prefix(20))
    }
}
