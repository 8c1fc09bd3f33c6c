import Foundation
import Glibc
import KeyhavenTestSupport

@testable import KeyhavenScanner

/// One scanner over the built-in rules, shared by the tests (compiling 125 regexes takes a moment).
let builtInRules: RuleSet = {
    do { return try RuleSet.builtIn() } catch { fatalError("built-in rules do not load: \(error)") }
}()

let sharedScanner = SecretScanner(ruleSet: builtInRules, fingerprintKey: Array("test-key".utf8))

func scan(
    _ text: String, path: String = "config.py", generic: Bool = true, scanner: SecretScanner = sharedScanner
) -> [Finding] {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { buffer in
        scanner.scan(
            buffer, path: path,
            traits: generic
                ? FileTraits(path: path, prefix: UnsafeBufferPointer(rebasing: buffer.prefix(8192))) : FileTraits(genericRulesEnabled: false),
            workspace: scanner.makeWorkspace())
    }
}

/// The byte range of `needle` in `text` (first occurrence).
func byteRange(of needle: String, in text: String) -> Range<Int>? {
    let haystack = Array(text.utf8)
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty, pattern.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - pattern.count) where haystack[start..<start + pattern.count].elementsEqual(pattern) {
        return start..<start + pattern.count
    }
    return nil
}

/// A fresh directory under /tmp, removed by the caller with `removeTree`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/keyhaven-scan-test.XXXXXX".utf8CString)
    guard let pointer = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    return String(cString: pointer)
}

func write(_ text: String, to path: String) {
    let directory = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}
