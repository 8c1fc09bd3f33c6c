import Foundation
import Testing

@testable import KeyhavenCrypto

struct KeyRingTests {
    private func temporaryPath() -> String {
        NSTemporaryDirectory() + "keyhaven-keyring-\(SecureRandom.bytes(count: 6).hexString)/keys.json"
    }

    @Test func generatesWithMode0600AndReloads() throws {
        let path = temporaryPath()
        let (ring, created) = try KeyRing.loadOrGenerate(at: path, generateIfMissing: true)
        #expect(created)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let (reloaded, createdAgain) = try KeyRing.loadOrGenerate(at: path, generateIfMissing: true)
        #expect(!createdAgain)
        #expect(reloaded.activeKeyID == ring.activeKeyID)
        #expect(reloaded.activeKey.material == ring.activeKey.material)
        #expect(ring.activeKey.material.count == 32)
    }

    @Test func rotationKeepsOldKeys() throws {
        let path = temporaryPath()
        var ring = KeyRing.generate()
        let old = ring.activeKey
        let new = ring.rotate()
        try ring.write(to: path)
        let reloaded = try KeyRing.load(from: path)
        #expect(reloaded.activeKeyID == new.id)
        #expect(reloaded.key(withID: old.id)?.material == old.material)
        #expect(old.id != new.id)
    }

    @Test func refusesGroupReadableFile() throws {
        let path = temporaryPath()
        try KeyRing.generate().write(to: path)
        chmod(path, 0o644)
        #expect(throws: CryptoError.self) { try KeyRing.load(from: path) }
    }

    @Test func refusesMissingFileWhenNotAllowedToGenerate() {
        #expect(throws: CryptoError.self) { try KeyRing.loadOrGenerate(at: temporaryPath(), generateIfMissing: false) }
    }

    @Test func refusesMalformedFile() throws {
        let path = temporaryPath()
        try SecureFile.writeAtomically(Array(#"{"version":1,"active":"x","keys":[]}"#.utf8), to: path)
        #expect(throws: CryptoError.self) { try KeyRing.load(from: path) }
    }

    @Test func selfSignedCertificateIsPEM() throws {
        let certificate = try SelfSignedCertificate.generate()
        #expect(certificate.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(certificate.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }
}
