import Foundation

/// Writes files that hold secrets: created with mode 0600 from the start (never world-readable
/// for an instant), flushed to disk and renamed into place so a crash leaves the old or the new file.
public enum SecureFile {
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporary = "\(path).tmp-\(SecureRandom.bytes(count: 6).hexString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CryptoError.keyRing("cannot create \(temporary) (errno \(errno))") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else {
                close(descriptor)
                unlink(temporary)
                throw CryptoError.keyRing("cannot write \(temporary) (errno \(errno))")
            }
            written += result
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CryptoError.keyRing("cannot move \(temporary) into place (errno \(errno))")
        }
    }
}
