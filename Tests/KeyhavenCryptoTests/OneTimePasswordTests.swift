import Testing

@testable import KeyhavenCrypto

struct OneTimePasswordTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    /// RFC 4226 Appendix D.
    @Test func hotpRFC4226() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(OneTimePassword.hotp(secret: Self.rfcSecret, counter: UInt64(counter)) == code)
        }
    }

    /// RFC 6238 Appendix B, SHA-1, 8 digits.
    @Test(arguments: [
        (Int64(59), "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func totpRFC6238SHA1(time: Int64, code: String) {
        #expect(OneTimePassword.totp(secret: Self.rfcSecret, at: time, digits: 8) == code)
    }

    /// RFC 6238 Appendix B, SHA-256 and SHA-512 (their seeds are the same digits, longer).
    @Test func totpRFC6238OtherHashes() {
        let seed32 = Array("12345678901234567890123456789012".utf8)
        let seed64 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)
        #expect(OneTimePassword.totp(secret: seed32, at: 59, digits: 8, algorithm: .sha256) == "46119246")
        #expect(OneTimePassword.totp(secret: seed64, at: 59, digits: 8, algorithm: .sha512) == "90693936")
    }

    @Test func matchingStepAllowsOneStepOfDriftEachWay() {
        let secret = SecureRandom.bytes(count: 20)
        let now: Int64 = 1_796_400_015
        let step = OneTimePassword.timeStep(at: now)
        for offset in [-1, 0, 1] as [Int64] {
            let code = OneTimePassword.hotp(secret: secret, counter: UInt64(step + offset))
            #expect(OneTimePassword.matchingStep(for: code, secret: secret, around: step) == step + offset)
        }
        for offset in [-2, 2] as [Int64] {
            let code = OneTimePassword.hotp(secret: secret, counter: UInt64(step + offset))
            #expect(OneTimePassword.matchingStep(for: code, secret: secret, around: step) == nil)
        }
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func base32(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(encoded.lowercased() + "===") == Array(plain.utf8))
    }

    @Test func base32RefusesForeignCharacters() {
        #expect(Base32.decode("MZ1W") == nil)
    }
}
