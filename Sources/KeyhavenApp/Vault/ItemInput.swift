import Foundation
import KeyhavenHTTP
import KeyhavenStorage

/// `ItemInput` of API.md, decoded strictly and validated against the vault it goes to.
struct ItemInput: RequestBody {
    static let fieldNames: Set<String> = ["title", "website", "username", "password", "notes", "vault_id"]
    var title: String
    var website: String?
    var username: String?
    var password: String
    var notes: String?
    var vaultId: String?

    /// Plaintext limits (characters); in an end-to-end vault each applies to the envelope as
    /// 4 × the limit + 64.
    static let limits: [(field: String, minimum: Int, maximum: Int)] = [
        ("title", 1, 200), ("website", 0, 2048), ("username", 0, 512), ("password", 1, 4096), ("notes", 0, 10_000),
    ]

    /// The payload to store, or 422 naming every field that is wrong.
    func validated(for encryption: Vault.Encryption) throws -> ItemPayload {
        var errors: [HTTPError.FieldError] = []
        let values: [String?] = [title, website, username, password, notes]
        for ((field, minimum, maximum), value) in zip(Self.limits, values) {
            guard let value else { continue }
            switch encryption {
            case .server:
                if value.count < minimum {
                    errors.append(.init(field: field, message: minimum == 1 ? "must not be empty" : "is too short"))
                } else if value.count > maximum {
                    errors.append(.init(field: field, message: "must be at most \(maximum) characters"))
                } else if field == "website", value.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
                    errors.append(.init(field: field, message: "must be a URL or host name"))
                } else if field == "title", value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                    errors.append(.init(field: field, message: "must not contain control characters"))
                }
            case .client:
                if value.count > 4 * maximum + 64 {
                    errors.append(.init(field: field, message: "must be at most \(4 * maximum + 64) characters"))
                } else if !Envelope.isValid(value) {
                    errors.append(.init(field: field, message: "must be a kh1 ciphertext envelope in an end-to-end vault"))
                }
            }
        }
        guard errors.isEmpty else { throw HTTPError.validationFailed(errors) }
        return ItemPayload(title: title, website: website, username: username, password: password, notes: notes)
    }
}
