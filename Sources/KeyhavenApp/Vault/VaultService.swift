import Foundation
import KeyhavenCrypto
import KeyhavenHTTP
import KeyhavenStorage

/// Vault records: names (and end-to-end wrapped vault keys) sealed under the user's data key,
/// and the default vault every user has.
struct VaultService: Sendable {
    let vaults: any VaultRepository
    let dataKeys: DataKeys

    static let defaultName = "Personal"

    /// A vault as the API shows it.
    struct Presented {
        var vault: Vault
        var name: String
        var wrappedKey: String?

        func write(to writer: inout JSONWriter) {
            writer.beginObject()
            writer.field("id", vault.id.rawValue)
            writer.field("name", name)
            writer.field("encryption", vault.encryption.rawValue)
            writer.field("is_default", vault.isDefault)
            if vault.encryption == .client { writer.field("wrapped_key", wrappedKey) }
            writer.field("created_at", RFC3339.string(from: vault.createdAt))
            writer.field("updated_at", RFC3339.string(from: vault.updatedAt))
            writer.endObject()
        }
    }

    /// The user's default vault, created (server-encrypted, "Personal") if the user has none.
    func defaultVault(for userID: UserID) throws -> Vault {
        let all = try vaults.list(userID: userID)
        if let found = all.first(where: \.isDefault) ?? all.first { return found }
        return try create(for: userID, name: Self.defaultName, encryption: .server, wrappedKey: nil, isDefault: true)
    }

    func create(for userID: UserID, name: String, encryption: Vault.Encryption, wrappedKey: String?, isDefault: Bool = false) throws -> Vault {
        let now = Date()
        let id = VaultID.generate()
        let key = try dataKeys.key(for: userID)
        let vault = Vault(
            id: id, userID: userID, encryption: encryption, sealedName: try seal(name, field: "name", id: id, userID: userID, key: key),
            sealedWrappedKey: try wrappedKey.map { try seal($0, field: "wrapped-key", id: id, userID: userID, key: key) }, isDefault: isDefault,
            createdAt: now, updatedAt: now)
        try vaults.create(vault)
        return vault
    }

    func rename(_ vault: Vault, to name: String, wrappedKey: String?) throws -> Vault {
        let key = try dataKeys.key(for: vault.userID)
        var updated = vault
        updated.sealedName = try seal(name, field: "name", id: vault.id, userID: vault.userID, key: key)
        if let wrappedKey { updated.sealedWrappedKey = try seal(wrappedKey, field: "wrapped-key", id: vault.id, userID: vault.userID, key: key) }
        updated.updatedAt = Date()
        try vaults.update(updated)
        return updated
    }

    func present(_ vault: Vault) throws -> Presented {
        let key = try dataKeys.key(for: vault.userID)
        return Presented(
            vault: vault, name: try open(vault.sealedName, field: "name", id: vault.id, userID: vault.userID, key: key),
            wrappedKey: try vault.sealedWrappedKey.map { try open($0, field: "wrapped-key", id: vault.id, userID: vault.userID, key: key) })
    }

    private func seal(_ text: String, field: String, id: VaultID, userID: UserID, key: SymmetricKey) throws -> [UInt8] {
        try AES256GCM.seal(Array(text.utf8), using: key, authenticating: Self.aad(field, id, userID)).combined
    }

    private func open(_ sealed: [UInt8], field: String, id: VaultID, userID: UserID, key: SymmetricKey) throws -> String {
        String(
            decoding: try AES256GCM.open(try AES256GCM.SealedBox(combined: sealed), using: key, authenticating: Self.aad(field, id, userID)),
            as: UTF8.self)
    }

    private static func aad(_ field: String, _ id: VaultID, _ userID: UserID) -> [UInt8] {
        Array("keyhaven:vault-\(field):v1:\(userID.rawValue):\(id.rawValue)".utf8)
    }
}

/// Client-side ciphertext as API.md and DESIGN.md define it: `kh1.<base64url 96-bit nonce>.<base64url ciphertext+tag>`.
enum Envelope {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "kh1", let nonce = Base64URL.decode(parts[1]), nonce.count == 12,
            let sealed = Base64URL.decode(parts[2]), sealed.count >= 16
        else { return false }
        return true
    }
}
