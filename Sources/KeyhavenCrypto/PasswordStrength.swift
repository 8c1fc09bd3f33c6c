import Foundation

/// The strength estimate behind the weak-password rules of the server and of `kh` (documented in
/// the README): length × log2(size of the character classes used), counting only characters that
/// do not repeat the previous one or continue a run (`aaaa`, `abcd`, `1234` add one character's
/// worth, not four).
public enum PasswordStrength {
    /// A password shorter than this, or estimated under `minimumBits`, is weak.
    public static let minimumLength = 12
    public static let minimumBits = 50.0

    public static func estimatedBits(_ password: String) -> Double {
        var pool = 0
        let scalars = Array(password.unicodeScalars)
        if scalars.contains(where: { ("a"..."z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("A"..."Z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("0"..."9").contains($0) }) { pool += 10 }
        if scalars.contains(where: { $0.isASCII && !$0.properties.isAlphabetic && !("0"..."9").contains($0) }) { pool += 33 }
        if scalars.contains(where: { !$0.isASCII }) { pool += 100 }
        var effective = 0
        for (index, scalar) in scalars.enumerated() where index == 0 || abs(Int(scalar.value) - Int(scalars[index - 1].value)) > 1 {
            effective += 1
        }
        return Double(effective) * log2(Double(max(pool, 1)))
    }
}
