public import Foundation

/// A set of secret keys with ids, one of them active for new work, kept in a JSON file outside
/// the database. Old keys stay so that data made with them can still be read.
///
/// File format (mode 0600):
/// `{"version": 1, "active": "<id>", "keys": [{"id", "created_at", "key": "<base64>"}]}`
public struct KeyRing: Sendable {
    public struct Key: Sendable {
        public let id: String
        public let createdAt: Date
        public let material: [UInt8]
    }

    public private(set) var keys: [Key]
    public private(set) var activeKeyID: String

    /// The key new data is encrypted or signed with.
    public var activeKey: Key { keys.first { $0.id == activeKeyID }! }

    /// Looks a key up by id (for data made with an older key).
    public func key(withID id: String) -> Key? { keys.first { $0.id == id } }

    /// A ring holding one fresh key of `materialByteCount` random bytes.
    public static func generate(materialByteCount: Int = 32, now: Date = Date()) -> KeyRing {
        let key = Key(id: newKeyID(now: now), createdAt: now, material: SecureRandom.bytes(count: materialByteCount))
        return KeyRing(keys: [key], activeKeyID: key.id)
    }

    /// Adds a fresh random key and makes it active; returns it.
    @discardableResult
    public mutating func rotate(now: Date = Date()) -> Key {
        let key = Key(id: Self.newKeyID(now: now), createdAt: now, material: SecureRandom.bytes(count: activeKey.material.count))
        keys.append(key)
        activeKeyID = key.id
        return key
    }

    // MARK: - Files

    /// Reads a ring, refusing a file that group or others can read.
    public static func load(from path: String) throws -> KeyRing {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CryptoError.keyRing("cannot read key file \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw CryptoError.keyRing("key file \(path) is readable by group or others; run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CryptoError.keyRing("cannot read key file \(path)")
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw CryptoError.keyRing("key file \(path) is not a valid key ring")
        }
        var keys: [Key] = []
        for entry in file.keys {
            guard let material = Data(base64Encoded: entry.key), !material.isEmpty,
                let created = ISO8601DateFormatter().date(from: entry.created_at),
                !entry.id.isEmpty, !keys.contains(where: { $0.id == entry.id })
            else { throw CryptoError.keyRing("key file \(path) has a malformed or duplicate key entry") }
            keys.append(Key(id: entry.id, createdAt: created, material: [UInt8](material)))
        }
        guard file.version == 1, keys.contains(where: { $0.id == file.active }) else {
            throw CryptoError.keyRing("key file \(path) names no valid active key")
        }
        return KeyRing(keys: keys, activeKeyID: file.active)
    }

    /// Loads the ring at `path`; when the file does not exist and `generateIfMissing` is set,
    /// creates a fresh ring there (mode 0600). Returns whether a new file was made.
    public static func loadOrGenerate(
        at path: String, generateIfMissing: Bool, materialByteCount: Int = 32
    ) throws -> (ring: KeyRing, created: Bool) {
        if FileManager.default.fileExists(atPath: path) {
            return (try load(from: path), false)
        }
        guard generateIfMissing else { throw CryptoError.keyRing("key file \(path) does not exist") }
        let ring = generate(materialByteCount: materialByteCount)
        try ring.write(to: path)
        return (ring, true)
    }

    /// Writes the ring atomically (temporary file, fsync, rename) with mode 0600.
    public func write(to path: String) throws {
        let formatter = ISO8601DateFormatter()
        let file = File(
            version: 1, active: activeKeyID,
            keys: keys.map {
                File.Entry(id: $0.id, created_at: formatter.string(from: $0.createdAt), key: Data($0.material).base64EncodedString())
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try SecureFile.writeAtomically(Array(try encoder.encode(file)), to: path)
    }

    private static func newKeyID(now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        return "k\(formatter.string(from: now))-\(SecureRandom.bytes(count: 4).hexString)"
    }

    private struct File: Codable {
        struct Entry: Codable {
            var id: String
            var created_at: String
            var key: String
        }
        var version: Int
        var active: String
        var keys: [Entry]
    }
}
