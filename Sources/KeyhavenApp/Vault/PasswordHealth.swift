import Foundation
import KeyhavenCrypto
import KeyhavenStorage

/// How weak passwords are found (documented in the README): shorter than 12 characters, on the
/// common-password list (or a listed one with digits or symbols appended), or an estimated
/// strength under 50 bits, where the estimate is length × log2(size of the character classes
/// used), counting only characters that do not repeat the previous one or continue a run
/// (`aaaa`, `abcd`, `1234` add one character's worth, not four).
enum PasswordHealth {
    static let minimumLength = PasswordStrength.minimumLength
    static let minimumBits = PasswordStrength.minimumBits

    static func weaknesses(of password: String) -> [String] {
        var reasons: [String] = []
        if password.count < minimumLength { reasons.append("too_short") }
        if CommonPasswords.contains(password) { reasons.append("common") }
        if estimatedBits(password) < minimumBits { reasons.append("low_strength") }
        return reasons
    }

    static func estimatedBits(_ password: String) -> Double { PasswordStrength.estimatedBits(password) }
}

/// The weak/reused report over a user's server-encrypted items (`GET /passwords/health` and the
/// digest). Reuse is found by keyed fingerprints, never by comparing decrypted pairs.
struct PasswordHealthReport {
    var checked = 0
    var skipped = 0
    var weak: [(id: ItemID, reasons: [String])] = []
    var reused: [[ItemID]] = []

    static func make(userID: UserID, items: any ItemRepository, vaultRepository: any VaultRepository, dataKeys: DataKeys) throws
        -> PasswordHealthReport
    {
        var report = PasswordHealthReport()
        let opener = try AES256GCM.Opener(key: try dataKeys.key(for: userID))
        let serverVaults = Set(try vaultRepository.list(userID: userID).filter { $0.encryption == .server }.map(\.id))
        var byFingerprint: [String: [ItemID]] = [:]
        try items.forEachItem(userID: userID) { item in
            guard serverVaults.contains(item.vaultID) else {
                report.skipped += 1
                return
            }
            report.checked += 1
            let reasons = PasswordHealth.weaknesses(of: try ItemPayload.open(item, opener: opener).password)
            if !reasons.isEmpty { report.weak.append((item.id, reasons)) }
            if let fingerprint = item.passwordFingerprint { byFingerprint[fingerprint, default: []].append(item.id) }
        }
        report.reused = byFingerprint.values.filter { $0.count > 1 }.sorted { $0[0].rawValue < $1[0].rawValue }
        return report
    }

    /// Which items are weak or reused, as a hash: equal when nothing that matters changed.
    var digest: String {
        let weakIDs = weak.map(\.id.rawValue).sorted().joined(separator: ",")
        let groups = reused.map { $0.map(\.rawValue).sorted().joined(separator: ",") }.sorted().joined(separator: ";")
        return SHA256.hexHash(Array("weak:\(weakIDs)|reused:\(groups)".utf8))
    }

    var reusedItemCount: Int { reused.reduce(0) { $0 + $1.count } }
}
