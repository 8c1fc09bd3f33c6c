public import Foundation

public typealias VaultID = Identifier<Vault>
public typealias ItemID = Identifier<Item>

/// A user's wrapped data key and end-to-end KDF salt. `wrappedKey` is the data key sealed under
/// the master key `keyID`; only the app layer can open it.
public struct UserKeyRecord: Sendable, Equatable {
    public var userID: UserID
    public var keyID: String
    public var wrappedKey: [UInt8]
    public var kdfSalt: [UInt8]
    public var createdAt: Date

    public init(userID: UserID, keyID: String, wrappedKey: [UInt8], kdfSalt: [UInt8], createdAt: Date) {
        self.userID = userID
        self.keyID = keyID
        self.wrappedKey = wrappedKey
        self.kdfSalt = kdfSalt
        self.createdAt = createdAt
    }
}

/// A vault. Its name (and, end-to-end, the client's wrapped vault key) are sealed by the app layer.
public struct Vault: Sendable, Equatable {
    public enum Encryption: String, Sendable {
        case server, client
    }

    public var id: VaultID
    public var userID: UserID
    public var encryption: Encryption
    public var sealedName: [UInt8]
    public var sealedWrappedKey: [UInt8]?
    public var isDefault: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: VaultID, userID: UserID, encryption: Encryption, sealedName: [UInt8], sealedWrappedKey: [UInt8]?, isDefault: Bool, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.encryption = encryption
        self.sealedName = sealedName
        self.sealedWrappedKey = sealedWrappedKey
        self.isDefault = isDefault
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A password item: everything secret is in `sealedPayload`. `sequence` orders a user's items
/// for keyset pagination (0 until stored).
public struct Item: Sendable, Equatable {
    public var sequence: Int64
    public var id: ItemID
    public var userID: UserID
    public var vaultID: VaultID
    public var version: Int64
    public var sealedPayload: [UInt8]
    /// A keyed fingerprint of the password (server-encrypted vaults), to find reuse without decrypting pairs.
    public var passwordFingerprint: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        sequence: Int64 = 0, id: ItemID, userID: UserID, vaultID: VaultID, version: Int64, sealedPayload: [UInt8], passwordFingerprint: String?,
        createdAt: Date, updatedAt: Date
    ) {
        self.sequence = sequence
        self.id = id
        self.userID = userID
        self.vaultID = vaultID
        self.version = version
        self.sealedPayload = sealedPayload
        self.passwordFingerprint = passwordFingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public protocol UserKeyRepository: Sendable {
    func find(userID: UserID) throws -> UserKeyRecord?
    /// Stores `record` unless the user already has a key; returns the key that is stored.
    func insertIfAbsent(_ record: UserKeyRecord) throws -> UserKeyRecord
    /// Up to `limit` records wrapped by a key other than `keyID` (key rotation, in batches).
    func records(notWrappedBy keyID: String, limit: Int) throws -> [UserKeyRecord]
    /// Replaces the wrapping if it is still `oldKeyID` (so concurrent rotations cannot clash).
    func rewrap(userID: UserID, from oldKeyID: String, to keyID: String, wrappedKey: [UInt8]) throws -> Bool
    /// How many data keys each master key wraps.
    func countByKey() throws -> [String: Int]
}

public protocol VaultRepository: Sendable {
    func create(_ vault: Vault) throws
    /// The user's vaults, oldest first.
    func list(userID: UserID) throws -> [Vault]
    func find(id: VaultID, userID: UserID) throws -> Vault?
    func update(_ vault: Vault) throws
    /// Deletes an empty vault; if it was the default, the oldest remaining vault becomes the default.
    func delete(id: VaultID, userID: UserID) throws -> Bool
    func itemCount(vaultID: VaultID) throws -> Int
}

public enum ItemUpdateResult: Sendable, Equatable {
    case updated(Item)
    case notFound
    /// `If-Match` named another version.
    case versionMismatch(current: Int64)
}

public protocol ItemRepository: Sendable {
    /// Stores a new item and returns it with its sequence number.
    func create(_ item: Item) throws -> Item
    /// Stores several items in one transaction: all or none.
    func createAll(_ items: [Item]) throws
    func find(id: ItemID, userID: UserID) throws -> Item?
    /// Replaces the item if it exists for the user and (when given) is at `expectedVersion`.
    func update(_ item: Item, expectedVersion: Int64?) throws -> ItemUpdateResult
    func delete(id: ItemID, userID: UserID) throws -> Bool
    /// The user's items in sequence order after `afterSequence`, at most `limit`.
    func list(userID: UserID, vaultID: VaultID?, afterSequence: Int64?, limit: Int) throws -> [Item]
    /// `list`, lending each item's stored columns to `body` instead of building `Item`s: a page
    /// is decrypted and rendered straight from the database's buffers.
    func forEachStored(
        userID: UserID, vaultID: VaultID?, afterSequence: Int64?, limit: Int, _ body: (StoredItemColumns) throws -> Void) throws
}

/// An item's stored columns, valid only during the callback they are lent to.
public struct StoredItemColumns {
    public var sequence: Int64
    /// UTF-8 of the item id.
    public var id: UnsafeRawBufferPointer
    /// UTF-8 of the vault id.
    public var vaultID: UnsafeRawBufferPointer
    public var version: Int64
    public var sealedPayload: UnsafeRawBufferPointer
    /// Unix seconds.
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        sequence: Int64, id: UnsafeRawBufferPointer, vaultID: UnsafeRawBufferPointer, version: Int64, sealedPayload: UnsafeRawBufferPointer,
        createdAt: Int64, updatedAt: Int64
    ) {
        self.sequence = sequence
        self.id = id
        self.vaultID = vaultID
        self.version = version
        self.sealedPayload = sealedPayload
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Item {
    /// Lends the item as the columns it is stored as, so one rendering path serves rows read
    /// straight from the database and `Item` values alike.
    public func withStoredColumns<Result>(_ body: (StoredItemColumns) throws -> Result) rethrows -> Result {
        var id = id.rawValue
        var vaultID = vaultID.rawValue
        return try id.withUTF8 { id in
            try vaultID.withUTF8 { vaultID in
                try sealedPayload.withUnsafeBytes { sealed in
                    try body(
                        StoredItemColumns(
                            sequence: sequence, id: UnsafeRawBufferPointer(id), vaultID: UnsafeRawBufferPointer(vaultID), version: version,
                            sealedPayload: sealed, createdAt: createdAt.unixSeconds, updatedAt: updatedAt.unixSeconds))
                }
            }
        }
    }
}

extension ItemRepository {
    /// Calls `body` with every item of the user (of one vault when `vaultID` is given), in
    /// sequence order, reading them in batches so a large vault is never held in memory at once.
    public func forEachItem(userID: UserID, vaultID: VaultID? = nil, batchSize: Int = 500, _ body: (Item) throws -> Void) throws {
        var after: Int64?
        while true {
            let batch = try list(userID: userID, vaultID: vaultID, afterSequence: after, limit: batchSize)
            for item in batch {
                try body(item)
                after = item.sequence
            }
            if batch.count < batchSize { return }
        }
    }
}
