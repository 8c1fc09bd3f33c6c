import Testing

@testable import KeyhavenCrypto

/// Test cases 13–16 of McGrew & Viega, "The Galois/Counter Mode of Operation" (the NIST GCM
/// submission), the 256-bit-key cases.
struct AES256GCMTests {
    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var key: String
        var nonce: String
        var plaintext: String
        var aad: String
        var ciphertext: String
        var tag: String
        var description: String { name }
    }

    static let vectors: [Vector] = [
        Vector(
            name: "case 13", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
            plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(
            name: "case 14", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
            plaintext: String(repeating: "00", count: 16), aad: "",
            ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(
            name: "case 15",
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            nonce: "cafebabefacedbaddecaf888",
            plaintext: """
                d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255
                """,
            aad: "",
            ciphertext: """
                522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad
                """,
            tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(
            name: "case 16",
            key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            nonce: "cafebabefacedbaddecaf888",
            plaintext: """
                d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39
                """,
            aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            ciphertext: """
                522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662
                """,
            tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func matchesPublishedVector(_ vector: Vector) throws {
        let key = try SymmetricKey(bytes: hex(vector.key))
        let box = try AES256GCM.seal(hex(vector.plaintext), using: key, nonce: hex(vector.nonce), authenticating: hex(vector.aad))
        #expect(box.ciphertext == hex(vector.ciphertext))
        #expect(box.tag == hex(vector.tag))
        #expect(try AES256GCM.open(box, using: key, authenticating: hex(vector.aad)) == hex(vector.plaintext))
    }

    @Test func roundTripsThroughCombinedForm() throws {
        let key = SymmetricKey.generate()
        let box = try AES256GCM.seal(Array("correct horse".utf8), using: key, authenticating: Array("item-1".utf8))
        let reopened = try AES256GCM.SealedBox(combined: box.combined)
        #expect(try AES256GCM.open(reopened, using: key, authenticating: Array("item-1".utf8)) == Array("correct horse".utf8))
    }

    @Test func freshNonceEachTime() throws {
        let key = SymmetricKey.generate()
        let first = try AES256GCM.seal([1, 2, 3], using: key)
        let second = try AES256GCM.seal([1, 2, 3], using: key)
        #expect(first.nonce != second.nonce)
        #expect(first.ciphertext != second.ciphertext)
    }

    @Test func refusesTamperedCiphertextTagNonceAADOrKey() throws {
        let key = SymmetricKey.generate()
        let aad = Array("user-1".utf8)
        let box = try AES256GCM.seal(Array("secret".utf8), using: key, authenticating: aad)
        var flippedCiphertext = box.ciphertext
        flippedCiphertext[0] ^= 1
        var flippedTag = box.tag
        flippedTag[15] ^= 0x80
        var flippedNonce = box.nonce
        flippedNonce[0] ^= 1
        let tampered: [(AES256GCM.SealedBox, SymmetricKey, [UInt8])] = [
            (try .init(nonce: box.nonce, ciphertext: flippedCiphertext, tag: box.tag), key, aad),
            (try .init(nonce: box.nonce, ciphertext: box.ciphertext, tag: flippedTag), key, aad),
            (try .init(nonce: flippedNonce, ciphertext: box.ciphertext, tag: box.tag), key, aad),
            (box, key, Array("user-2".utf8)),
            (box, key, []),
            (box, SymmetricKey.generate(), aad),
        ]
        for (candidate, candidateKey, candidateAAD) in tampered {
            #expect(throws: CryptoError.authenticationFailed) {
                try AES256GCM.open(candidate, using: candidateKey, authenticating: candidateAAD)
            }
        }
    }

    @Test func refusesShortSealedBoxAndBadKeyLength() {
        #expect(throws: CryptoError.self) { try AES256GCM.SealedBox(combined: [UInt8](repeating: 0, count: 27)) }
        #expect(throws: CryptoError.self) { try SymmetricKey(bytes: [UInt8](repeating: 0, count: 16)) }
    }
}

struct AES256GCMOpenerTests {
    @Test func opensWhatSealWroteAndRefusesTampering() throws {
        let key = SymmetricKey.generate()
        let opener = try AES256GCM.Opener(key: key)
        for length in [0, 1, 15, 16, 17, 300, 5000] {
            let plaintext = SecureRandom.bytes(count: length)
            let box = try AES256GCM.seal(plaintext, using: key, authenticating: Array("aad-\(length)".utf8))
            #expect(try opener.open(combined: box.combined, authenticating: Array("aad-\(length)".utf8)) == plaintext)
            #expect(throws: CryptoError.authenticationFailed) { try opener.open(combined: box.combined, authenticating: Array("other".utf8)) }
            var tampered = box.combined
            tampered[tampered.count - 1] ^= 1
            #expect(throws: CryptoError.authenticationFailed) { try opener.open(combined: tampered, authenticating: Array("aad-\(length)".utf8)) }
        }
        // Published vector through the reusable path too (McGrew–Viega case 16).
        let vectorKey = try SymmetricKey(bytes: hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"))
        let vector = AES256GCMTests.vectors[3]
        let combined = hex(vector.nonce) + hex(vector.ciphertext) + hex(vector.tag)
        #expect(try AES256GCM.Opener(key: vectorKey).open(combined: combined, authenticating: hex(vector.aad)) == hex(vector.plaintext))
    }

    /// The append form (a page decrypted into its response): plaintext lands after what was
    /// there, and a failed check leaves the buffer exactly as it was.
    @Test func openAppendingLeavesTheBufferUntouchedOnFailure() throws {
        let key = SymmetricKey.generate()
        let opener = try AES256GCM.Opener(key: key)
        let plaintext = Array("secret members".utf8)
        let box = try AES256GCM.seal(plaintext, using: key, authenticating: Array("aad".utf8)).combined
        var output = Array("prefix".utf8)
        try box.withUnsafeBytes { sealed in
            try Array("aad".utf8).withUnsafeBytes { try opener.open(combined: sealed, authenticating: $0, appendingTo: &output) }
        }
        #expect(output == Array("prefix".utf8) + plaintext)
        var tampered = box
        tampered[20] ^= 0x80
        for (candidate, aad) in [(tampered, "aad"), (box, "other")] {
            var untouched = Array("prefix".utf8)
            #expect(throws: CryptoError.authenticationFailed) {
                try candidate.withUnsafeBytes { sealed in
                    try Array(aad.utf8).withUnsafeBytes { try opener.open(combined: sealed, authenticating: $0, appendingTo: &untouched) }
                }
            }
            #expect(untouched == Array("prefix".utf8))
        }
    }
}
