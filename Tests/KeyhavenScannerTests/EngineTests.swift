import Foundation
import KeyhavenTestSupport
import Testing

@testable import KeyhavenScanner

struct KeywordAutomatonTests {
    /// Every occurrence the automaton reports is real and none is missed, against a naive search
    /// over random text drawn from a small alphabet (so keywords overlap and repeat a lot).
    @Test func agreesWithNaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        let keywords = ["ab", "bab", "abc", "c", "AbCa", "bb", "cab"]
        let automaton = KeywordAutomaton(keywords: keywords)
        for _ in 0..<200 {
            let text = (0..<Int.random(in: 0...200, using: &generator)).map { _ in "abcABC".randomElement(using: &generator)! }
            let bytes = Array(String(text).utf8)
            var found: [String] = []
            bytes.withUnsafeBufferPointer { buffer in
                automaton.scan(buffer) { keyword, end in found.append("\(keyword)@\(end)") }
            }
            var expected: [String] = []
            let lower = Array(String(text).lowercased().utf8)
            for end in 0...lower.count {
                for (index, keyword) in keywords.enumerated() {
                    let pattern = Array(keyword.lowercased().utf8)
                    if end >= pattern.count, lower[(end - pattern.count)..<end].elementsEqual(pattern) {
                        expected.append("\(index)@\(end)")
                    }
                }
            }
            #expect(found.sorted() == expected.sorted(), "text: \(String(text))")
        }
    }
}

struct ValidatorTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksums.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func githubAndNPMChecksums() {
        let body = "zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ"
        for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"] {
            let token = FakeTokens.checksummed(prefix: prefix, body: body)
            #expect(Validator.githubChecksum.accepts(Array(token.utf8)), "\(token)")
            var corrupted = Array(token.utf8)
            corrupted[10] = corrupted[10] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            #expect(!Validator.githubChecksum.accepts(corrupted))
            var badChecksum = Array(token.utf8)
            badChecksum[badChecksum.count - 1] = badChecksum.last == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
            #expect(!Validator.npmChecksum.accepts(badChecksum))
        }
        let fineGrained = "github_pat_11ABCDEFG0123456789abc_" + FakeTokens.checksummed(prefix: "", body: String(repeating: "Ab3", count: 17) + "xy")
        #expect(Validator.githubChecksum.accepts(Array(fineGrained.utf8)))
        let lastCharacter: Character = fineGrained.last == "Z" ? "Y" : "Z"
        #expect(!Validator.githubChecksum.accepts(Array((fineGrained.dropLast() + String(lastCharacter)).utf8)))
        // The scanner reports the valid one and not the corrupted one.
        let valid = FakeTokens.checksummed(prefix: "ghp_", body: body)
        #expect(scan("token = \"\(valid)\"").map(\.ruleID) == ["github-pat"])
        #expect(scan("token = \"\(valid.dropLast())Q\"").filter { $0.ruleID == "github-pat" }.isEmpty)
    }

    @Test func pypiMacaroonAndJWT() {
        let macaroon = Data(
            [2, 1, 8] + Array("pypi.org".utf8) + [2, 16] + Array(repeating: 7, count: 16) + [0, 0, 6, 32]
                + Array(repeating: 9, count: 32))
        let token =
            "pypi-"
            + macaroon.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        #expect(Validator.pypiMacaroon.accepts(Array(token.utf8)))
        #expect(!Validator.pypiMacaroon.accepts(Array("pypi-AgEIcHlwaS5vcmcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".utf8)))
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNA"
        #expect(Validator.jwt.accepts(Array(jwt.utf8)))
        #expect(!Validator.jwt.accepts(Array("eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWJ5dGVz".utf8)), "header without alg")
        #expect(!Validator.jwt.accepts(Array("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWJ5dGVz".utf8)), "alg none")
    }

    @Test func entropy() {
        #expect(shannonEntropy(Array("aaaaaaaa".utf8)) == 0)
        #expect(abs(shannonEntropy(Array("abcdefgh".utf8)) - 3) < 1e-9)
    }
}

struct FalsePositiveTests {
    @Test(arguments: [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "token = \"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
        "password = \"changeme\"",
        "password: <your-password-here>",
        "password: ${DB_PASSWORD}",
        "DB_PASSWORD=$(cat /run/secrets/db)",
        "password = os.environ['DB_PASSWORD']",
        "password = process.env.DB_PASSWORD",
        "secret_key = \"{{ secret_key }}\"",
        "api_key = \"****************\"",
        "api_key = settings.payment.api_key",
        "password = request.form.password",
        "request_id = \"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"",
        "commit = \"9fceb02d0ae598e95dc970b74767f19372d61af8\"",
        "\"integrity\": \"sha512-Q2lzY28gU3lzdGVtcyBJbmMuIEFsbCByaWdodHMgcmVzZXJ2ZWQgMjAyNCBhYmNkZWZnaGlqa2xtbm9w==\"",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"",
        "if password == \"letmein-2024!\":",
        "PASSWORD_MIN_LENGTH=12",
        "password_hash = \"$2b$12$KIXQJ7Fh1e3mN5t0A9s2/.uPq7rD8w3zYk1bLxV6cQ4eR2nTgHj8W\"",
    ])
    func placeholdersExamplesAndReferencesAreQuiet(_ line: String) {
        #expect(scan(line).isEmpty, "reported: \(scan(line).map(\.ruleID))")
    }

    @Test func base64ImagesDoNotYieldProviderTokens() {
        let blob = String(repeating: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk", count: 4)
        let line = "<img src=\"data:image/png;base64,\(blob)+AKIA2E3F4G5H6J7K7ZQR/\(blob)\">"
        #expect(scan(line).isEmpty)
        #expect(scan("key = \"AKIA2E3F4G5H6J7K7ZQR\"").map(\.ruleID) == ["aws-access-key-id"])
    }

    @Test func inlineAllowCommentSuppressesTheLine() {
        let token = FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
        #expect(scan("t = \"\(token)\"  # keyhaven:allow").isEmpty)
        #expect(scan("t = \"\(token)\"  # keyhaven:allow\nu = \"\(token)\"").map(\.line) == [2])
    }

    @Test func lockfilesAndBundlesSkipGenericRulesOnly() {
        let token = FakeTokens.checksummed(prefix: "npm_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
        let text = "\"password\": \"Qx7!vR2#kL9m\",\n\"_authToken\": \"\(token)\"\n"
        #expect(Set(scan(text, path: "app/config.json").map(\.ruleID)) == ["generic-password", "npm-token"])
        #expect(scan(text, path: "app/package-lock.json").map(\.ruleID) == ["npm-token"])
        #expect(scan(text, path: "dist/app.min.js").map(\.ruleID) == ["npm-token"])
        let minified = String(repeating: "var a=1;", count: 1100) + text
        #expect(scan(minified, path: "dist/app.js").map(\.ruleID) == ["npm-token"])
    }

    @Test func genericMatchYieldsToProviderMatch() {
        let token = FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
        #expect(scan("GITHUB_TOKEN=\(token)").map(\.ruleID) == ["github-pat"])
    }
}

struct FindingShapeTests {
    @Test func linesColumnsRedactionAndFingerprint() throws {
        let token = FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
        let text = "# first line\n# ünïcödé → here\nvalue = \"\(token)\"\n"
        let findings = scan(text)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.line == 3 && finding.column == 10)
        #expect(finding.endLine == 3 && finding.endColumn == 10 + token.count)
        #expect(finding.redacted == "ghp_…" + token.suffix(4))
        #expect(!finding.redacted.contains(String(token.dropFirst(4).prefix(8))))
        // Keyed: the same secret elsewhere has the same fingerprint; another key gives another.
        let again = try #require(scan("x: \(token)", path: "other.yaml").first)
        #expect(again.fingerprint == finding.fingerprint && finding.fingerprint.count == 32)
        let otherKey = SecretScanner(ruleSet: builtInRules, fingerprintKey: Array("another".utf8))
        #expect(scan(text, scanner: otherKey).first?.fingerprint != finding.fingerprint)
        // Multibyte characters before the secret on its own line count as one column each.
        let unicode = try #require(scan("é→\"\(token)\"").first)
        #expect(unicode.column == 4)
    }

    @Test func shortSecretsAreRedactedMore() {
        #expect(redact(Array("abcdefghij".utf8)) == "ab…ij")
        #expect(redact(Array("abcdef".utf8)) == "…")
        #expect(redact(Array("0123456789abcdefXYZ".utf8)) == "0123…fXYZ")
    }

    @Test func ignoredFingerprintsAreDropped() throws {
        let token = FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
        let fingerprint = try #require(scan("t=\(token)").first?.fingerprint)
        let quiet = SecretScanner(
            ruleSet: builtInRules, fingerprintKey: Array("test-key".utf8), ignoredFingerprints: [fingerprint])
        #expect(scan("t=\(token)", scanner: quiet).isEmpty)
    }
}

struct RuleFileTests {
    @Test func userRulesAddAndOverride() throws {
        let directory = makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/rules.json"
        write(
            #"""
            {"rules": [
              {"id": "acme-key", "description": "Acme key", "severity": "high", "keywords": ["acme_"],
               "regex": "\\b(acme_[a-z0-9]{20})\\b", "entropy": 3.0},
              {"id": "jwt", "disabled": true}
            ]}
            """#, to: path)
        let rules = try RuleSet.load(additionalFiles: [path])
        #expect(rules.rules.count == builtInRules.rules.count)
        #expect(rules.version != builtInRules.version)
        let scanner = SecretScanner(ruleSet: rules, fingerprintKey: [1])
        #expect(scan("k = acme_a1b2c3d4e5f6g7h8i9j0", scanner: scanner).map(\.ruleID) == ["acme-key"])
        #expect(!rules.rules.contains { $0.id == "jwt" })
    }

    @Test(arguments: [
        (#"{"rules": [{"id": "x", "keywords": ["ab"], "regex": "(unclosed"}]}"#, "invalid regex"),
        (#"{"rules": [{"id": "x", "regex": "(ab)"}]}"#, "keyword"),
        (#"{"rules": [{"id": "x", "keywords": ["ab"], "regex": "(ab)", "validator": "nope"}]}"#, "unknown validator"),
        (#"{"rules": [{"id": "Bad Id", "keywords": ["ab"], "regex": "(ab)"}]}"#, "lowercase"),
        (#"{"rules": [{"id": "x", "keywords": ["ab"], "regex": "(ab)", "secret_group": 3}]}"#, "secret_group"),
        (#"not json"#, "not a valid rule file"),
    ])
    func badRuleFilesAreRejectedWithAReason(_ text: String, _ reason: String) {
        #expect {
            try RuleSet(files: [(name: "user.json", data: Data(text.utf8))])
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func builtInRulesHaveUniqueIDsAndDescriptions() {
        let ids = builtInRules.rules.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(builtInRules.rules.allSatisfy { !$0.description.isEmpty && $0.description != $0.id })
        #expect(builtInRules.rules.filter { $0.category == "private-key" }.count >= 9)
    }
}
