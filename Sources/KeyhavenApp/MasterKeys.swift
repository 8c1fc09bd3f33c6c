import Foundation
import KeyhavenCrypto
import KeyhavenLocking

/// The master key ring as the running server sees it. `keyhaven keys rotate` rewrites the key
/// file while servers run; each server notices (the file's modification time, checked at most
/// every few seconds, and whenever a key id is unknown) and reloads, so data re-sealed under
/// the new key stays readable without a restart.
final class MasterKeys: Sendable {
    private struct State {
        var ring: KeyRing
        var modified: Date?
        var checkedAt: Date
    }

    private let path: String?
    private let state: Locked<State>
    private static let recheckInterval: TimeInterval = 5

    /// `path` nil: a fixed ring (tests).
    init(ring: KeyRing, path: String?) {
        self.path = path
        state = Locked(State(ring: ring, modified: path.flatMap(Self.modificationDate), checkedAt: Date()))
    }

    var ring: KeyRing { current(forceCheck: false) }
    var activeKey: KeyRing.Key { ring.activeKey }

    func key(withID id: String) -> KeyRing.Key? {
        if let key = ring.key(withID: id) { return key }
        return current(forceCheck: true).key(withID: id)
    }

    private func current(forceCheck: Bool) -> KeyRing {
        guard let path else { return state.withLock { $0.ring } }
        return state.withLock { state in
            let now = Date()
            guard forceCheck || now.timeIntervalSince(state.checkedAt) >= Self.recheckInterval else { return state.ring }
            state.checkedAt = now
            let modified = Self.modificationDate(path)
            guard modified != state.modified, let reloaded = try? KeyRing.load(from: path) else { return state.ring }
            // Never forget a key this process already knew, whatever the file says now.
            if state.ring.keys.allSatisfy({ reloaded.key(withID: $0.id) != nil }) {
                state.ring = reloaded
                state.modified = modified
            }
            return state.ring
        }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
