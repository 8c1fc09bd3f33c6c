import Foundation
import KeyhavenCrypto
import KeyhavenLocking
import KeyhavenStorage

/// Envelope encryption's middle layer: each user has a random 256-bit data key, stored only
/// sealed (AES-256-GCM) under a master key-encryption key with the user id as AAD. Item payloads,
/// vault names and TOTP secrets are sealed under the data key.
struct DataKeys: Sendable {
    let repository: any UserKeyRepository
    let masterKeys: MasterKeys
    /// Opened data keys by user. A data key never changes (rotation re-seals the same key), so
    /// entries stay valid; the master key that opens them is in this process's memory anyway.
    private let opened = OpenedKeyCache()

    init(repository: any UserKeyRepository, masterKeys: MasterKeys) {
        self.repository = repository
        self.masterKeys = masterKeys
    }

    /// The user's data key, created on first use.
    func key(for userID: UserID) throws -> SymmetricKey {
        if let key = opened.key(for: userID) { return key }
        let key = try open(try record(for: userID))
        opened.store(key, for: userID)
        return key
    }

    /// Forgets a user's opened key (account deletion).
    func forget(_ userID: UserID) { opened.remove(userID) }

    /// The salt for the user's end-to-end key derivation (random per user, made with the data key).
    func kdfSalt(for userID: UserID) throws -> [UInt8] {
        try record(for: userID).kdfSalt
    }

    /// Re-seals every data key not under the active master key, in batches; safe to run again
    /// after a crash (it continues with what is left). Returns how many keys it re-sealed.
    func rewrapAll(batchSize: Int = 100, progress: (Int) -> Void = { _ in }) throws -> Int {
        let active = masterKeys.activeKey
        var done = 0
        while true {
            let batch = try repository.records(notWrappedBy: active.id, limit: batchSize)
            if batch.isEmpty { return done }
            for record in batch {
                let key = try open(record)
                let sealed = try AES256GCM.seal(key.bytes, using: try SymmetricKey(bytes: active.material), authenticating: Self.aad(record.userID))
                if try repository.rewrap(userID: record.userID, from: record.keyID, to: active.id, wrappedKey: sealed.combined) { done += 1 }
            }
            progress(done)
        }
    }

    private func record(for userID: UserID) throws -> UserKeyRecord {
        if let existing = try repository.find(userID: userID) { return existing }
        let master = masterKeys.activeKey
        let sealed = try AES256GCM.seal(
            SymmetricKey.generate().bytes, using: try SymmetricKey(bytes: master.material), authenticating: Self.aad(userID))
        return try repository.insertIfAbsent(
            UserKeyRecord(userID: userID, keyID: master.id, wrappedKey: sealed.combined, kdfSalt: SecureRandom.bytes(count: 16), createdAt: Date()))
    }

    private func open(_ record: UserKeyRecord) throws -> SymmetricKey {
        guard let master = masterKeys.key(withID: record.keyID) else {
            throw CryptoError.keyRing("data key of a user is sealed under master key \(record.keyID), which is not in the key file")
        }
        let bytes = try AES256GCM.open(
            try AES256GCM.SealedBox(combined: record.wrappedKey), using: try SymmetricKey(bytes: master.material),
            authenticating: Self.aad(record.userID))
        return try SymmetricKey(bytes: bytes)
    }

    private static func aad(_ userID: UserID) -> [UInt8] { Array("keyhaven:data-key:v1:\(userID.rawValue)".utf8) }
}

final class OpenedKeyCache: Sendable {
    private let keys = Locked<[UserID: SymmetricKey]>([:])
    private let capacity = 10_000

    func key(for userID: UserID) -> SymmetricKey? { keys.withLock { $0[userID] } }

    func store(_ key: SymmetricKey, for userID: UserID) {
        keys.withLock { keys in
            if keys.count >= capacity { keys.removeAll(keepingCapacity: true) }
            keys[userID] = key
        }
    }

    func remove(_ userID: UserID) { _ = keys.withLock { $0.removeValue(forKey: userID) } }
}
