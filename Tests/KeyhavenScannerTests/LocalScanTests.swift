import Foundation
import Glibc
import KeyhavenTestSupport
import Testing

@testable import KeyhavenScanner

/// `keyhaven scan` over real files: walking, skipping, ignoring, per-file problems, the three
/// output formats and the exit status.
@Suite(.serialized)
struct LocalScanTests {
    let token = FakeTokens.checksummed(prefix: "ghp_", body: "Zr8dQ2mW9xLk4pT7vB1nC6sY3hJ0gF")
    let npmToken = FakeTokens.checksummed(prefix: "npm_", body: "Pq4wE7rT1yU9iO3pA6sD2fG8hJ5kL0")

    func makeTree() -> String {
        let root = makeTemporaryDirectory()
        write("import os\nTOKEN = \"\(token)\"\n", to: root + "/src/app.py")
        write("registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=\(npmToken)\n", to: root + "/.npmrc")
        write("nothing to see here\n", to: root + "/README.md")
        write("TOKEN = \"\(token)\"\n", to: root + "/.git/config")
        write("TOKEN = \"\(token)\"\n", to: root + "/fixtures/ignored.py")
        _ = FileManager.default.createFile(atPath: root + "/logo.png", contents: Data([0x89, 0x50, 0x4E, 0x47, 0, 0]) + Data("ghp_".utf8))
        write("TOKEN = \"\(token)\"\n" + String(repeating: "x", count: 5000), to: root + "/big.txt")
        // Latin-1, not UTF-8: reported as a warning and still scanned.
        let latin1 = Data("caf".utf8) + Data([0xE9]) + Data("=1\nk=\(npmToken)\n".utf8)
        _ = FileManager.default.createFile(atPath: root + "/latin1.properties", contents: latin1)
        _ = symlink(root + "/src/app.py", root + "/link.py")
        write("fixtures/\n", to: root + "/.keyhavenignore")
        return root
    }

    func options(maximumFileSize: Int = 4096) -> LocalScanOptions {
        var options = LocalScanOptions()
        options.maximumFileSize = maximumFileSize
        return options
    }

    @Test func walksSkipsAndCounts() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let report = try LocalScan(rules: builtInRules, fingerprintKey: [1], options: options()).run(paths: [root])
        let found = report.findings.map { "\($0.path.dropFirst(root.count + 1)):\($0.line):\($0.ruleID)" }
        #expect(found == [".npmrc:2:npm-token", "latin1.properties:2:npm-token", "src/app.py:2:github-pat"])
        #expect(report.stats.files == 4)  // app.py, .npmrc, README.md, latin1.properties
        #expect(report.stats.skippedBinary == 1)
        #expect(report.stats.skippedTooLarge == 1)
        #expect(report.stats.skippedIgnored == 1)
        #expect(report.problems.map(\.path) == [root + "/latin1.properties"])
        #expect(report.problems.first?.skipped == false)
        #expect(report.stats.bytes > 0 && report.stats.seconds >= 0)
    }

    @Test func ignoreFileFingerprintsAndThreadsAgree() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let first = try LocalScan(rules: builtInRules, fingerprintKey: [1], options: options()).run(paths: [root])
        let npm = try #require(first.findings.first { $0.ruleID == "npm-token" })
        write("fixtures/\n# a test token\nfingerprint:\(npm.fingerprint)\n", to: root + "/.keyhavenignore")
        var single = options()
        single.threads = 1
        let second = try LocalScan(rules: builtInRules, fingerprintKey: [1], options: single).run(paths: [root])
        #expect(second.findings.map(\.ruleID) == ["github-pat"])
        var many = options()
        many.threads = 8
        let third = try LocalScan(rules: builtInRules, fingerprintKey: [1], options: many).run(paths: [root])
        #expect(third.findings == second.findings)
    }

    @Test func aSpecialFileIsAProblemNotAFailure() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let fifo = root + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let report = try LocalScan(rules: builtInRules, fingerprintKey: [1], options: options())
            .run(paths: [fifo, root + "/src/app.py"])
        #expect(report.findings.map(\.ruleID) == ["github-pat"])
        #expect(report.problems.contains { $0.path == fifo && $0.skipped })
        #expect(throws: LocalScan.RootError.self) {
            try LocalScan(rules: builtInRules, fingerprintKey: [1]).run(paths: [root + "/does-not-exist"])
        }
    }

    @Test func commandWritesJSONAndExitsOne() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let output = root + "/../" + (root as NSString).lastPathComponent + "-report.json"
        defer { removeTree(output) }
        let status = ScanCommand.run(
            arguments: [root, "--format", "json", "--output", output, "--max-file-size", "4K"], environment: [:],
            version: "test")
        #expect(status == 1)
        let data = try #require(FileManager.default.contents(atPath: output))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == 3)
        for finding in findings {
            #expect(Set(finding.keys) == ["path", "line", "column", "rule_id", "description", "severity", "redacted", "fingerprint"])
        }
        let stats = try #require(document["stats"] as? [String: Any])
        #expect(stats["files"] as? Int == 4 && stats["bytes"] is Int && stats["seconds"] is Double)
        // No secret in the report, only redactions.
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains(token) && !text.contains(npmToken))
        #expect(!text.contains(String(token.dropFirst(4).dropLast(4))))
    }

    @Test func commandWritesSARIFThatCodeScanningAccepts() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let output = root + "-report.sarif"
        defer { removeTree(output) }
        let status = ScanCommand.run(
            arguments: [root + "/src", "--format=sarif", "--output=\(output)"], environment: [:], version: "1.2.3")
        #expect(status == 1)
        let data = try #require(FileManager.default.contents(atPath: output))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["version"] as? String == "2.1.0")
        #expect((document["$schema"] as? String)?.contains("sarif") == true)
        let run = try #require((document["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "Keyhaven")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.count == builtInRules.rules.count)
        let result = try #require((run["results"] as? [[String: Any]])?.first)
        #expect(result["ruleId"] as? String == "github-pat")
        let ruleIndex = try #require(result["ruleIndex"] as? Int)
        #expect(rules[ruleIndex]["id"] as? String == "github-pat")
        #expect(((result["message"] as? [String: Any])?["text"] as? String)?.isEmpty == false)
        let location = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        let region = try #require(location["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 2 && region["startColumn"] as? Int == 10)
        let uri = try #require((location["artifactLocation"] as? [String: Any])?["uri"] as? String)
        #expect(uri.hasPrefix("file:///") && uri.hasSuffix("/src/app.py"))
        #expect((result["partialFingerprints"] as? [String: String])?.values.first?.count == 32)
    }

    @Test func commandExitsZeroWhenCleanAndTwoOnErrors() throws {
        let root = makeTemporaryDirectory()
        defer { removeTree(root) }
        write("print('hello')\n", to: root + "/clean.py")
        let output = root + "/out.txt"
        #expect(ScanCommand.run(arguments: [root + "/clean.py", "-o", output], environment: [:], version: "t") == 0)
        let text = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
        #expect(text.hasPrefix("0 findings in 1 file "))
        #expect(ScanCommand.run(arguments: [root + "/missing"], environment: [:], version: "t") == 2)
        #expect(ScanCommand.run(arguments: [root, "--format", "xml"], environment: [:], version: "t") == 2)
        #expect(ScanCommand.run(arguments: [], environment: [:], version: "t") == 2)
        #expect(ScanCommand.run(arguments: [root, "--max-file-size", "lots"], environment: [:], version: "t") == 2)
        #expect(
            ScanCommand.run(arguments: [root], environment: ["KEYHAVEN_SCAN_RULES": root + "/no-rules.json"], version: "t")
                == 2)
        #expect(ScanCommand.parseSize("50M") == 50 << 20 && ScanCommand.parseSize("512K") == 512 << 10)
    }

    @Test func textFormatNamesPathLineRuleAndRedaction() throws {
        let root = makeTree()
        defer { removeTree(root) }
        let output = root + "-report.txt"
        defer { removeTree(output) }
        #expect(ScanCommand.run(arguments: [root + "/src", "--output", output], environment: [:], version: "t") == 1)
        let text = String(decoding: FileManager.default.contents(atPath: output) ?? Data(), as: UTF8.self)
        #expect(text.contains("/src/app.py:2:10  critical  github-pat  ghp_…\(token.suffix(4))"))
        #expect(text.contains("1 finding in 1 file"))
        #expect(!text.contains(token))
    }
}
