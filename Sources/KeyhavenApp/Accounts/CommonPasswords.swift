/// The shipped list of common passwords (see `scripts/generate-common-passwords.py`), as a set.
enum CommonPasswords {
    static let set: Set<Substring> = Set(list.split(separator: "\n").map { $0.drop { $0 == " " } })

    /// True when `password`, lower-cased, is on the list, or is a listed password with digits or
    /// punctuation added at the end (`dragon2024!`), or one character repeated.
    static func contains(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if set.contains(Substring(lowered)) { return true }
        if let first = lowered.first, lowered.allSatisfy({ $0 == first }) { return true }
        let base = lowered.reversed().drop { $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " " }
        let stem = String(base.reversed())
        return stem.count >= 4 && stem.count < lowered.count && set.contains(Substring(stem))
    }
}
