import Foundation
import KeyhavenCrypto
import KeyhavenStorage

/// The secret fields of an item, sealed as one AES-256-GCM ciphertext under the user's data key.
/// AAD binds the ciphertext to the user, the item id and the version: copied to another row,
/// user or version it does not decrypt. In an end-to-end vault the fields are the client's
/// `kh1.` envelopes, sealed again the same way.
///
/// Plaintext format 1: a version byte, then the fields as JSON object members exactly as the API
/// returns them (`"title":"…","website":null,…`). Reads append those bytes to the response
/// without parsing them, which is what lets a page of items be served quickly.
struct ItemPayload: Sendable, Equatable {
    var title: String
    var website: String?
    var username: String?
    var password: String
    var notes: String?

    func seal(userID: UserID, itemID: ItemID, version: Int64, key: SymmetricKey) throws -> [UInt8] {
        try AES256GCM.seal(encoded(), using: key, authenticating: Self.aad(userID: userID, itemID: itemID, version: version)).combined
    }

    /// The decrypted JSON members of a stored item (validated as format 1, not parsed).
    static func openMembers(_ item: Item, opener: AES256GCM.Opener) throws -> ArraySlice<UInt8> {
        var output: [UInt8] = []
        var scratch: [UInt8] = []
        try item.withStoredColumns { try appendMembers(of: $0, userID: item.userID, opener: opener, scratch: &scratch, to: &output) }
        return output[...]
    }

    /// Decrypts a stored payload straight into `output` as its JSON members (format 1, checked,
    /// not parsed): the page path, with no copy of the item in between. `scratch` holds the AAD
    /// and is reused from item to item. On failure `output` is as it was.
    static func appendMembers(
        of stored: StoredItemColumns, userID: UserID, opener: AES256GCM.Opener, scratch aad: inout [UInt8], to output: inout [UInt8]
    ) throws {
        aad.removeAll(keepingCapacity: true)
        appendAAD(userID: userID, itemID: stored.id, version: stored.version, to: &aad)
        let start = output.count
        try aad.withUnsafeBytes { try opener.open(combined: stored.sealedPayload, authenticating: $0, appendingTo: &output) }
        guard output.count > start + 1, output[start] == 1 else {
            output.removeSubrange(start...)
            throw CryptoError.invalidInput("item payload is malformed")
        }
        output.remove(at: start)  // the format byte
    }

    /// The decrypted fields of a stored item.
    static func open(_ item: Item, opener: AES256GCM.Opener) throws -> ItemPayload {
        let members = try openMembers(item, opener: opener)
        guard let object = try? JSONSerialization.jsonObject(with: Data([UInt8(ascii: "{")] + members + [UInt8(ascii: "}")])) as? [String: Any],
            let title = object["title"] as? String, let password = object["password"] as? String
        else { throw CryptoError.invalidInput("item payload is malformed") }
        return ItemPayload(
            title: title, website: object["website"] as? String, username: object["username"] as? String, password: password,
            notes: object["notes"] as? String)
    }

    private static func aad(userID: UserID, itemID: ItemID, version: Int64) -> [UInt8] {
        var aad: [UInt8] = []
        var id = itemID.rawValue
        id.withUTF8 { appendAAD(userID: userID, itemID: UnsafeRawBufferPointer($0), version: version, to: &aad) }
        return aad
    }

    /// `keyhaven:item:v1:<user id>:<item id>:<version>`.
    private static func appendAAD(userID: UserID, itemID: UnsafeRawBufferPointer, version: Int64, to aad: inout [UInt8]) {
        aad.append(contentsOf: "keyhaven:item:v1:".utf8)
        aad.append(contentsOf: userID.rawValue.utf8)
        aad.append(UInt8(ascii: ":"))
        aad.append(contentsOf: itemID)
        aad.append(UInt8(ascii: ":"))
        aad.append(contentsOf: String(version).utf8)
    }

    private func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("title", title)
        writer.field("website", website)
        writer.field("username", username)
        writer.field("password", password)
        writer.field("notes", notes)
        writer.endObject()
        // Drop the braces: the members are spliced into the item object on the way out.
        return [1] + writer.bytes.dropFirst().dropLast()
    }
}
