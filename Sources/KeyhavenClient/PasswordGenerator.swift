import KeyhavenCrypto

/// Passwords and passphrases from the system CSPRNG (OpenSSL `RAND_bytes`), without modulo bias.
public enum PasswordGenerator {
    static let letters = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
    static let digits = Array("23456789")
    static let symbols = Array("!#%&*+-=?@^_~")
    static let consonants = Array("bcdfghjklmnprstvwxz")
    static let vowels = Array("aeiou")

    /// A uniformly random index below `bound`.
    static func index(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 256)
        let limit = 256 - 256 % bound
        while true {
            let byte = Int(SecureRandom.bytes(count: 1)[0])
            if byte < limit { return byte % bound }
        }
    }

    /// `length` characters from letters, digits and symbols (at least one of each); about
    /// 6.1 bits per character.
    public static func password(length: Int = 20) -> String {
        let length = max(length, 8)
        let all = letters + digits + symbols
        while true {
            let candidate = (0..<length).map { _ in all[index(below: all.count)] }
            if candidate.contains(where: digits.contains) && candidate.contains(where: symbols.contains)
                && candidate.contains(where: letters.contains)
            {
                return String(candidate)
            }
        }
    }

    /// `words` pronounceable words of three consonant–vowel syllables (19 × 5 choices each,
    /// about 19.7 bits a word), joined by `-`, one word capitalised and a digit appended so sites
    /// that insist on classes accept it. Five words: about 98 bits.
    public static func passphrase(words: Int = 5) -> String {
        let count = max(words, 3)
        var list = (0..<count).map { _ in
            String((0..<3).flatMap { _ in [consonants[index(below: consonants.count)], vowels[index(below: vowels.count)]] })
        }
        let capital = index(below: count)
        list[capital] = list[capital].prefix(1).uppercased() + list[capital].dropFirst()
        return list.joined(separator: "-") + String(digits[index(below: digits.count)])
    }
}
