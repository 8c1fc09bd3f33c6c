/// A validated email address: trimmed, domain lower-cased. `key` (all lower-case) is what makes
/// an account unique, so `Ada@Example.com` and `ada@example.com` are one account.
struct EmailAddress: Sendable, Equatable {
    let value: String
    let key: String

    /// Returns nil (with the reason) for anything that is not a plausible mailbox address.
    static func parse(_ raw: String) -> Result<EmailAddress, Invalid> {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(Invalid(message: "is required")) }
        guard trimmed.utf8.count <= 254 else { return .failure(Invalid(message: "must be at most 254 characters")) }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(Invalid(message: "must be an email address")) }
        let local = parts[0]
        let domain = parts[1].lowercased()
        guard (1...64).contains(local.utf8.count),
            local.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f && !"\"(),:;<>[\\]".unicodeScalars.contains($0) }),
            !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return .failure(Invalid(message: "must be an email address")) }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard !domain.isEmpty,
            labels.allSatisfy({ label in
                (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            })
        else { return .failure(Invalid(message: "must be an email address")) }
        let value = "\(local)@\(domain)"
        return .success(EmailAddress(value: value, key: value.lowercased()))
    }

    struct Invalid: Error, Equatable {
        let message: String
    }
}
