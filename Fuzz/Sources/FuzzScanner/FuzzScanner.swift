import FuzzSupport
import KeyhavenScanner

let scanner = SecretScanner(ruleSet: try! RuleSet.builtIn(), fingerprintKey: [1, 2, 3])
nonisolated(unsafe) let workspace = scanner.makeWorkspace()

/// The scanner on arbitrary bytes: no crash, every finding inside the buffer.
@_cdecl("FuzzScanner_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in
        let input = bytes(data, size)
        input.withUnsafeBufferPointer { buffer in
            for finding in scanner.scan(buffer, path: "fuzz.txt", traits: FileTraits(genericRulesEnabled: true), workspace: workspace) {
                precondition(finding.offset >= 0 && finding.offset + finding.length <= size && finding.line >= 1 && finding.column >= 1)
            }
        }
        return 0
    }
}
