import Testing

@testable import KeyhavenCrypto

struct BcryptTests {
    /// Vectors from OpenWall's crypt_blowfish test suite (wrapper.c).
    @Test(arguments: [
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"),
        ("$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a", "U*U*U"),
        (
            "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"
        ),
        ("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"),
        ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy", ""),
    ])
    func openwallVectors(hash: String, password: String) {
        #expect(Bcrypt.verify(Array(password.utf8), against: hash))
        #expect(!Bcrypt.verify(Array(("x" + password).utf8), against: hash))
    }

    /// Raw bcrypt ignores everything after byte 72: the reason account passwords are pre-hashed.
    @Test func rawBcryptTruncatesAt72Bytes() throws {
        let prefix = String(repeating: "a", count: 72)
        let hash = try Bcrypt.hash(Array((prefix + "first").utf8), cost: 4)
        #expect(Bcrypt.verify(Array((prefix + "second").utf8), against: hash))
    }

    @Test func hashesWithRequestedCostAndVerifies() throws {
        let hash = try Bcrypt.hash(Array("a long enough password".utf8), cost: 4)
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(Bcrypt.cost(of: hash) == 4)
        #expect(Bcrypt.verify(Array("a long enough password".utf8), against: hash))
        #expect(!Bcrypt.verify(Array("a long enough passworD".utf8), against: hash))
        #expect(try Bcrypt.hash(Array("same".utf8), cost: 4) != Bcrypt.hash(Array("same".utf8), cost: 4))
    }

    @Test func refusesMalformedHashesAndBadInput() {
        #expect(!Bcrypt.verify(Array("x".utf8), against: ""))
        #expect(!Bcrypt.verify(Array("x".utf8), against: "$1$abc"))
        #expect(!Bcrypt.verify(Array("x".utf8), against: "$2b$05$short"))
        #expect(throws: CryptoError.self) { try Bcrypt.hash([0x61, 0, 0x62], cost: 4) }
        #expect(throws: CryptoError.self) { try Bcrypt.hash([0x61], cost: 3) }
    }
}

struct Argon2idTests {
    /// The reference implementation's own test vector (argon2 `src/test.c`, Argon2id v1.3).
    @Test func referenceVector() throws {
        let output = try Argon2id.deriveKey(
            from: Array("password".utf8), salt: Array("somesalt".utf8),
            parameters: .init(iterations: 2, memoryKiB: 1 << 16, parallelism: 1))
        #expect(output == hex("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"))
    }

    @Test func differentSaltGivesDifferentKey() throws {
        let parameters = Argon2id.Parameters(iterations: 1, memoryKiB: 1024, parallelism: 1)
        let first = try Argon2id.deriveKey(from: [1, 2, 3], salt: [UInt8](repeating: 1, count: 16), parameters: parameters)
        let second = try Argon2id.deriveKey(from: [1, 2, 3], salt: [UInt8](repeating: 2, count: 16), parameters: parameters)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(throws: CryptoError.self) {
            try Argon2id.deriveKey(from: [1], salt: [1, 2, 3], parameters: parameters)
        }
    }
}
