import Foundation

public struct SQLUserKeyRepository: UserKeyRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func find(userID: UserID) throws -> UserKeyRecord? {
        try database.read { try $0.query("SELECT * FROM user_keys WHERE user_id = $1", [.text(userID.rawValue)]).first.map(Self.record) }
    }

    public func insertIfAbsent(_ record: UserKeyRecord) throws -> UserKeyRecord {
        try database.write { connection in
            try connection.execute(
                "INSERT INTO user_keys (user_id, key_id, wrapped_key, kdf_salt, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING",
                [.text(record.userID.rawValue), .text(record.keyID), .blob(record.wrappedKey), .blob(record.kdfSalt), .timestamp(record.createdAt)])
            return try Self.record(try connection.query("SELECT * FROM user_keys WHERE user_id = $1", [.text(record.userID.rawValue)])[0])
        }
    }

    public func records(notWrappedBy keyID: String, limit: Int) throws -> [UserKeyRecord] {
        try database.read { connection in
            try connection.query("SELECT * FROM user_keys WHERE key_id <> $1 ORDER BY user_id LIMIT $2", [.text(keyID), .integer(Int64(limit))])
                .map(Self.record)
        }
    }

    public func rewrap(userID: UserID, from oldKeyID: String, to keyID: String, wrappedKey: [UInt8]) throws -> Bool {
        try database.write { connection in
            try connection.execute(
                "UPDATE user_keys SET key_id = $3, wrapped_key = $4 WHERE user_id = $1 AND key_id = $2",
                [.text(userID.rawValue), .text(oldKeyID), .text(keyID), .blob(wrappedKey)]) == 1
        }
    }

    public func countByKey() throws -> [String: Int] {
        try database.read { connection in
            var counts: [String: Int] = [:]
            for row in try connection.query("SELECT key_id, COUNT(*) AS c FROM user_keys GROUP BY key_id") {
                counts[try row.string("key_id")] = Int(try row.integer("c"))
            }
            return counts
        }
    }

    private static func record(_ row: Row) throws -> UserKeyRecord {
        UserKeyRecord(
            userID: UserID(try row.string("user_id")), keyID: try row.string("key_id"), wrappedKey: try row.bytes("wrapped_key"),
            kdfSalt: try row.bytes("kdf_salt"), createdAt: try row.date("created_at"))
    }
}

public struct SQLVaultRepository: VaultRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func create(_ vault: Vault) throws {
        try database.write { connection in
            try connection.execute(
                """
                INSERT INTO vaults (id, user_id, encryption, sealed_name, sealed_wrapped_key, is_default, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [
                    .text(vault.id.rawValue), .text(vault.userID.rawValue), .text(vault.encryption.rawValue), .blob(vault.sealedName),
                    vault.sealedWrappedKey.map { .blob($0) } ?? .null, .integer(vault.isDefault ? 1 : 0), .timestamp(vault.createdAt),
                    .timestamp(vault.updatedAt),
                ])
        }
    }

    public func list(userID: UserID) throws -> [Vault] {
        try database.read { connection in
            try connection.query("SELECT * FROM vaults WHERE user_id = $1 ORDER BY created_at, id", [.text(userID.rawValue)]).map(Self.vault)
        }
    }

    public func find(id: VaultID, userID: UserID) throws -> Vault? {
        try database.read { connection in
            try connection.query("SELECT * FROM vaults WHERE id = $1 AND user_id = $2", [.text(id.rawValue), .text(userID.rawValue)]).first.map(
                Self.vault)
        }
    }

    public func update(_ vault: Vault) throws {
        try database.write { connection in
            try connection.execute(
                "UPDATE vaults SET sealed_name = $3, sealed_wrapped_key = $4, updated_at = $5 WHERE id = $1 AND user_id = $2",
                [
                    .text(vault.id.rawValue), .text(vault.userID.rawValue), .blob(vault.sealedName),
                    vault.sealedWrappedKey.map { .blob($0) } ?? .null,
                    .timestamp(vault.updatedAt),
                ])
        }
    }

    public func delete(id: VaultID, userID: UserID) throws -> Bool {
        try database.write { connection in
            guard
                try connection.execute(
                    "DELETE FROM vaults WHERE id = $1 AND user_id = $2 AND NOT EXISTS (SELECT 1 FROM items WHERE items.vault_id = $1)",
                    [.text(id.rawValue), .text(userID.rawValue)]) == 1
            else { return false }
            // Keep exactly one default: the oldest remaining vault takes over if needed.
            let remaining = try connection.query(
                "SELECT id, is_default FROM vaults WHERE user_id = $1 ORDER BY created_at, id", [.text(userID.rawValue)])
            if let first = remaining.first, !(try remaining.contains { try $0.integer("is_default") == 1 }) {
                try connection.execute("UPDATE vaults SET is_default = 1 WHERE id = $1", [.text(try first.string("id"))])
            }
            return true
        }
    }

    public func itemCount(vaultID: VaultID) throws -> Int {
        try database.read { connection in
            Int(try connection.query("SELECT COUNT(*) AS c FROM items WHERE vault_id = $1", [.text(vaultID.rawValue)])[0].integer("c"))
        }
    }

    private static func vault(_ row: Row) throws -> Vault {
        guard let encryption = Vault.Encryption(rawValue: try row.string("encryption")) else { throw DatabaseError.decoding("encryption") }
        return Vault(
            id: VaultID(try row.string("id")), userID: UserID(try row.string("user_id")), encryption: encryption,
            sealedName: try row.bytes("sealed_name"),
            sealedWrappedKey: try row.optionalBytes("sealed_wrapped_key"), isDefault: try row.integer("is_default") == 1,
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

public struct SQLItemRepository: ItemRepository {
    private let database: any Database

    public init(database: any Database) { self.database = database }

    public func createAll(_ items: [Item]) throws {
        try database.write { connection in
            for item in items { _ = try insert(item, on: connection) }
        }
    }

    public func create(_ item: Item) throws -> Item {
        try database.write { try insert(item, on: $0) }
    }

    private func insert(_ item: Item, on connection: any DatabaseConnection) throws -> Item {
        let rows = try connection.query(
            """
            INSERT INTO items (id, user_id, vault_id, version, sealed_payload, password_fingerprint, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq
            """,
            [
                .text(item.id.rawValue), .text(item.userID.rawValue), .text(item.vaultID.rawValue), .integer(item.version), .blob(item.sealedPayload),
                item.passwordFingerprint.map { .text($0) } ?? .null, .timestamp(item.createdAt), .timestamp(item.updatedAt),
            ])
        var stored = item
        stored.sequence = try rows[0].integer("seq")
        return stored
    }

    public func find(id: ItemID, userID: UserID) throws -> Item? {
        try database.query("SELECT * FROM items WHERE id = $1 AND user_id = $2", [.text(id.rawValue), .text(userID.rawValue)]).first.map {
            try Self.item($0, userID: userID)
        }
    }

    public func update(_ item: Item, expectedVersion: Int64?) throws -> ItemUpdateResult {
        try database.write { connection in
            guard
                let current = try connection.query(
                    "SELECT version FROM items WHERE id = $1 AND user_id = $2", [.text(item.id.rawValue), .text(item.userID.rawValue)]
                ).first
            else { return .notFound }
            let version = try current.integer("version")
            if let expectedVersion, expectedVersion != version { return .versionMismatch(current: version) }
            let rows = try connection.query(
                """
                UPDATE items SET vault_id = $3, version = $4, sealed_payload = $5, password_fingerprint = $6, updated_at = $7
                WHERE id = $1 AND user_id = $2 AND version = $8 RETURNING *
                """,
                [
                    .text(item.id.rawValue), .text(item.userID.rawValue), .text(item.vaultID.rawValue), .integer(item.version),
                    .blob(item.sealedPayload),
                    item.passwordFingerprint.map { .text($0) } ?? .null, .timestamp(item.updatedAt), .integer(version),
                ])
            guard let row = rows.first else { return .versionMismatch(current: version) }
            return .updated(try Self.item(row))
        }
    }

    public func delete(id: ItemID, userID: UserID) throws -> Bool {
        try database.write { try $0.execute("DELETE FROM items WHERE id = $1 AND user_id = $2", [.text(id.rawValue), .text(userID.rawValue)]) == 1 }
    }

    public func list(userID: UserID, vaultID: VaultID?, afterSequence: Int64?, limit: Int) throws -> [Item] {
        let (sql, parameters) = Self.listQuery(
            columns: "seq, id, vault_id, version, sealed_payload, password_fingerprint, created_at, updated_at", userID: userID,
            vaultID: vaultID, afterSequence: afterSequence, limit: limit)
        return try database.query(sql, parameters).map { try Self.item($0, userID: userID) }
    }

    public func forEachStored(
        userID: UserID, vaultID: VaultID?, afterSequence: Int64?, limit: Int, _ body: (StoredItemColumns) throws -> Void
    ) throws {
        let (sql, parameters) = Self.listQuery(
            columns: "seq, id, vault_id, version, sealed_payload, created_at, updated_at", userID: userID, vaultID: vaultID,
            afterSequence: afterSequence, limit: limit)
        try database.forEachRow(sql, parameters) { row in
            guard let id = try row.text(1), let vaultID = try row.text(2), let sealed = try row.blob(4) else {
                throw DatabaseError.decoding("items")
            }
            try body(
                StoredItemColumns(
                    sequence: try row.integer(0), id: id, vaultID: vaultID, version: try row.integer(3), sealedPayload: sealed,
                    createdAt: try row.integer(5), updatedAt: try row.integer(6)))
        }
    }

    /// One page of the user's items in sequence order (keyset: `seq > after`, index items_user_seq).
    private static func listQuery(
        columns: String, userID: UserID, vaultID: VaultID?, afterSequence: Int64?, limit: Int
    ) -> (String, [SQLValue]) {
        var sql = "SELECT \(columns) FROM items WHERE user_id = $1 AND seq > $2"
        var parameters: [SQLValue] = [.text(userID.rawValue), .integer(afterSequence ?? 0), .integer(Int64(limit))]
        if let vaultID {
            sql += " AND vault_id = $4"
            parameters.append(.text(vaultID.rawValue))
        }
        return (sql + " ORDER BY seq LIMIT $3", parameters)
    }

    private static func item(_ row: Row, userID: UserID? = nil) throws -> Item {
        Item(
            sequence: try row.integer("seq"), id: ItemID(try row.string("id")), userID: try userID ?? UserID(try row.string("user_id")),
            vaultID: VaultID(try row.string("vault_id")), version: try row.integer("version"), sealedPayload: try row.bytes("sealed_payload"),
            passwordFingerprint: try row.optionalString("password_fingerprint"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}
