import Foundation
import KeyhavenCrypto
import KeyhavenStorage

/// The secret fields of an item, sealed as one AES-256-GCM ciphertext under the user's data key.
/// AAD binds the ciphertext to the user, the item id and the version: copied to another row,
/// user or version it does not decrypt. In an end-to-end vault the fields are the client's
/// `kh1.` envelopes, sealed again the same way.
struct ItemPayload: Sendable, Equatable {
    var title: String
    var website: String?
    var username: String?
    var password: String
    var notes: String?

    func seal(userID: UserID, itemID: ItemID, version: Int64, key: SymmetricKey) throws -> [UInt8] {
        try AES256GCM.seal(encoded(), using: key, authenticating: Self.aad(userID: userID, itemID: itemID, version: version)).combined
    }

    static func open(_ sealed: [UInt8], userID: UserID, itemID: ItemID, version: Int64, key: SymmetricKey) throws -> ItemPayload {
        let plain = try AES256GCM.open(
            try AES256GCM.SealedBox(combined: sealed), using: key, authenticating: aad(userID: userID, itemID: itemID, version: version))
        guard let payload = decode(plain) else { throw CryptoError.invalidInput("item payload is malformed") }
        return payload
    }

    private static func aad(userID: UserID, itemID: ItemID, version: Int64) -> [UInt8] {
        Array("keyhaven:item:v1:\(userID.rawValue):\(itemID.rawValue):\(version)".utf8)
    }

    /// Format 1: a version byte, then each field as 0xFF (absent) or a 4-byte big-endian length
    /// and UTF-8 bytes. Faster to read than JSON, which matters when a page decrypts 200 items.
    private func encoded() -> [UInt8] {
        var output: [UInt8] = [1]
        for field in [title, website, username, password, notes] {
            guard let field else {
                output.append(0xFF)
                continue
            }
            let bytes = Array(field.utf8)
            output.append(0)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { output.append(contentsOf: $0) }
            output.append(contentsOf: bytes)
        }
        return output
    }

    private static func decode(_ bytes: [UInt8]) -> ItemPayload? {
        guard bytes.first == 1 else { return nil }
        var index = 1
        var fields: [String?] = []
        for _ in 0..<5 {
            guard index < bytes.count else { return nil }
            if bytes[index] == 0xFF {
                fields.append(nil)
                index += 1
                continue
            }
            guard bytes[index] == 0, index + 5 <= bytes.count else { return nil }
            let length = Int(bytes[index + 1]) << 24 | Int(bytes[index + 2]) << 16 | Int(bytes[index + 3]) << 8 | Int(bytes[index + 4])
            index += 5
            guard index + length <= bytes.count else { return nil }
            fields.append(String(decoding: bytes[index..<(index + length)], as: UTF8.self))
            index += length
        }
        guard index == bytes.count, let title = fields[0], let password = fields[3] else { return nil }
        return ItemPayload(title: title, website: fields[1], username: fields[2], password: password, notes: fields[4])
    }
}
