import Foundation

/// How weak passwords are found (documented in the README): shorter than 12 characters, on the
/// common-password list (or a listed one with digits or symbols appended), or an estimated
/// strength under 50 bits, where the estimate is length × log2(size of the character classes
/// used), counting only characters that do not repeat the previous one or continue a run
/// (`aaaa`, `abcd`, `1234` add one character's worth, not four).
enum PasswordHealth {
    static let minimumLength = 12
    static let minimumBits = 50.0

    static func weaknesses(of password: String) -> [String] {
        var reasons: [String] = []
        if password.count < minimumLength { reasons.append("too_short") }
        if CommonPasswords.contains(password) { reasons.append("common") }
        if estimatedBits(password) < minimumBits { reasons.append("low_strength") }
        return reasons
    }

    static func estimatedBits(_ password: String) -> Double {
        var pool = 0
        let scalars = Array(password.unicodeScalars)
        if scalars.contains(where: { ("a"..."z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("A"..."Z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("0"..."9").contains($0) }) { pool += 10 }
        if scalars.contains(where: { $0.isASCII && !$0.properties.isAlphabetic && !("0"..."9").contains($0) }) { pool += 33 }
        if scalars.contains(where: { !$0.isASCII }) { pool += 100 }
        var effective = 0
        for (index, scalar) in scalars.enumerated() {
            guard index > 0 else {
                effective += 1
                continue
            }
            let step = Int(scalar.value) - Int(scalars[index - 1].value)
            if abs(step) > 1 { effective += 1 }
        }
        return Double(effective) * log2(Double(max(pool, 1)))
    }
}
