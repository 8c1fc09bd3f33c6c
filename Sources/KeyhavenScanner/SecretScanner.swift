import KeyhavenCrypto

/// One secret found: where it is and what it looks like, never the secret itself.
public struct Finding: Sendable, Hashable, Codable {
    public var path: String
    /// 1-based line and column (in Unicode code points) of the first character of the secret.
    public var line: Int
    public var column: Int
    public var endLine: Int
    /// Column just past the last character of the secret.
    public var endColumn: Int
    public var ruleID: String
    public var description: String
    public var severity: Severity
    /// At most the first four and last four characters, for people to recognise the value.
    public var redacted: String
    /// Keyed hash of the secret: stable across runs and files for one key, useless to guess from.
    public var fingerprint: String
    /// Byte offset and length of the secret in the scanned buffer.
    public var offset: Int
    public var length: Int

    enum CodingKeys: String, CodingKey {
        case path, line, column, description, severity, redacted, fingerprint
        case ruleID = "rule_id"
        case endLine = "end_line"
        case endColumn = "end_column"
        case offset, length
    }
}

/// What the scanner knows about a file besides its bytes.
public struct FileTraits: Sendable {
    /// Lockfiles and minified bundles are full of hashes and identifiers: generic rules are off.
    public var genericRulesEnabled: Bool

    public init(path: String, prefix: UnsafeBufferPointer<UInt8>) {
        genericRulesEnabled = !Self.isLockfileOrBundle(path) && !Self.looksMinified(prefix)
    }

    public init(genericRulesEnabled: Bool) { self.genericRulesEnabled = genericRulesEnabled }

    static let lockfileNames: Set<String> = [
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "cargo.lock",
        "go.sum", "poetry.lock", "pipfile.lock", "composer.lock", "gemfile.lock", "podfile.lock", "packages.lock.json",
        "pdm.lock", "uv.lock", "flake.lock", "mix.lock", "pubspec.lock", "gradle.lockfile", "package.resolved",
    ]

    static func isLockfileOrBundle(_ path: String) -> Bool {
        let name = String(path.split(separator: "/").last ?? Substring(path)).lowercased()
        return lockfileNames.contains(name) || name.hasSuffix(".min.js") || name.hasSuffix(".min.css")
            || name.hasSuffix(".js.map") || name.hasSuffix(".css.map")
    }

    /// A bundle: the first 8 KiB hold no line break.
    static func looksMinified(_ prefix: UnsafeBufferPointer<UInt8>) -> Bool {
        prefix.count >= 8192 && !prefix.prefix(8192).contains(UInt8(ascii: "\n"))
    }
}

/// The scanning engine: bytes in, findings out. Thread-safe; each thread brings its own
/// ``ScanWorkspace``.
///
/// 1. A keyword automaton passes over every byte once and notes where rules' keywords occur.
/// 2. Around each occurrence a rule's regex (PCRE2 JIT) runs over a small window.
/// 3. Candidates go through entropy, checksum validators, allowlists, placeholder and example
///    filters; generic matches yield to provider matches of the same secret; a line saying
///    `keyhaven:allow` suppresses its findings; ignored fingerprints are dropped.
public final class SecretScanner: Sendable {
    public let ruleSet: RuleSet
    let automaton: KeywordAutomaton
    let keywordLengths: [Int]
    let rulesByKeyword: [[Int]]
    let fingerprintKey: [UInt8]
    let ignoredFingerprints: Set<String>
    let maximumGroups: Int
    // Per rule, flat, for the keyword-hit loop (no struct copies there).
    let lookbehinds: [Int]
    let lookaheads: [Int]
    let generic: [Bool]

    public init(ruleSet: RuleSet, fingerprintKey: [UInt8], ignoredFingerprints: Set<String> = []) {
        self.ruleSet = ruleSet
        self.fingerprintKey = fingerprintKey
        self.ignoredFingerprints = ignoredFingerprints
        var keywordIndex: [String: Int] = [:]
        var keywords: [String] = []
        var rulesByKeyword: [[Int]] = []
        for (ruleIndex, rule) in ruleSet.rules.enumerated() {
            for keyword in Set(rule.keywords.map { $0.lowercased() }) {
                let index =
                    keywordIndex[keyword]
                    ?? {
                        keywords.append(keyword)
                        rulesByKeyword.append([])
                        keywordIndex[keyword] = keywords.count - 1
                        return keywords.count - 1
                    }()
                rulesByKeyword[index].append(ruleIndex)
            }
        }
        automaton = KeywordAutomaton(keywords: keywords)
        keywordLengths = keywords.map(\.utf8.count)
        self.rulesByKeyword = rulesByKeyword
        lookbehinds = ruleSet.rules.map(\.lookbehind)
        lookaheads = ruleSet.rules.map(\.lookahead)
        generic = ruleSet.rules.map(\.isGeneric)
        maximumGroups =
            ruleSet.rules.map { max($0.regex.captureCount, $0.allowlist.map(\.captureCount).max() ?? 0) }.max()
            ?? 0
    }

    public func makeWorkspace() -> ScanWorkspace {
        ScanWorkspace(ruleCount: ruleSet.rules.count, groups: maximumGroups)
    }

    /// The keyed fingerprint of a secret (hex, 128 bits).
    public func fingerprint(of secret: some Collection<UInt8>) -> String {
        Array(HMACSHA256.authenticationCode(for: secret, key: fingerprintKey).prefix(16)).hexString
    }

    public func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, path: String, traits: FileTraits, workspace: ScanWorkspace
    ) -> [Finding] {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return [] }
        let count = bytes.count
        let rules = ruleSet.rules
        workspace.reset()
        let genericEnabled = traits.genericRulesEnabled
        lookbehinds.withUnsafeBufferPointer { lookbehinds in
            lookaheads.withUnsafeBufferPointer { lookaheads in
                generic.withUnsafeBufferPointer { generic in
                    automaton.scan(bytes) { keyword, end in
                        let keywordStart = end - keywordLengths[keyword]
                        for ruleIndex in rulesByKeyword[keyword] {
                            if !genericEnabled && generic[ruleIndex] { continue }
                            let start = max(0, keywordStart - lookbehinds[ruleIndex])
                            let stop = min(count, end + lookaheads[ruleIndex])
                            workspace.addRegion(rule: ruleIndex, start..<stop)
                        }
                    }
                }
            }
        }
        guard !workspace.touchedRules.isEmpty else { return [] }

        var candidates: [(rule: Int, range: Range<Int>)] = []
        let matchData = workspace.matchData
        for ruleIndex in workspace.touchedRules {
            let rule = rules[ruleIndex]
            for region in workspace.regions[ruleIndex] {
                var position = region.lowerBound
                while position < region.upperBound,
                    rule.regex.firstMatch(in: base, end: region.upperBound, from: position, using: matchData),
                    let whole = matchData.range(ofGroup: 0)
                {
                    position = whole.upperBound > position ? whole.upperBound : position + 1
                    var secretRange: Range<Int>?
                    for group in rule.secretGroup...max(rule.secretGroup, rule.regex.captureCount) {
                        if let range = matchData.range(ofGroup: group), !range.isEmpty {
                            secretRange = range
                            break
                        }
                    }
                    guard let secretRange, accepts(rule, bytes, secretRange, workspace) else { continue }
                    candidates.append((ruleIndex, secretRange))
                }
            }
        }
        guard !candidates.isEmpty else { return [] }
        candidates.sort { ($0.range.lowerBound, $0.rule) < ($1.range.lowerBound, $1.rule) }
        // A provider match beats a generic one over the same bytes; the same range is reported once.
        var kept: [(rule: Int, range: Range<Int>)] = []
        for candidate in candidates {
            let isGeneric = rules[candidate.rule].isGeneric
            if kept.contains(where: { $0.range == candidate.range }) { continue }
            if isGeneric, candidates.contains(where: { !rules[$0.rule].isGeneric && $0.range.overlaps(candidate.range) }) {
                continue
            }
            kept.append(candidate)
        }

        var locator = LineLocator(bytes)
        var findings: [Finding] = []
        for candidate in kept {
            let start = locator.locate(candidate.range.lowerBound)
            if locator.lineContains(start.lineStart, Self.allowMarker) { continue }
            let secret = Array(bytes[candidate.range])
            let fingerprint = fingerprint(of: secret)
            if ignoredFingerprints.contains(fingerprint) { continue }
            let end = locator.locate(candidate.range.upperBound)
            let rule = rules[candidate.rule]
            findings.append(
                Finding(
                    path: path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column,
                    ruleID: rule.id, description: rule.description, severity: rule.severity, redacted: redact(secret),
                    fingerprint: fingerprint, offset: candidate.range.lowerBound, length: candidate.range.count))
        }
        return findings
    }

    static let allowMarker = Array("keyhaven:allow".utf8)

    private func accepts(_ rule: Rule, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ workspace: ScanWorkspace)
        -> Bool
    {
        let secret = Array(bytes[range])
        if let minimum = rule.minimumEntropy, shannonEntropy(secret) < minimum { return false }
        if FalsePositives.isPlaceholder(secret) { return false }
        if !rule.embeddedOK && FalsePositives.isEmbeddedInBlob(bytes, range) { return false }
        if let validator = rule.validator {
            let before = range.lowerBound > 0 ? bytes[range.lowerBound - 1] : 0
            // Only a generic assignment can be a reference to something else when unquoted.
            let quoted =
                !rule.isGeneric || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || before == UInt8(ascii: "`")
            if !validator.accepts(secret, quoted: quoted) { return false }
        }
        for pattern in rule.allowlist where pattern.matches(secret, using: workspace.matchData) { return false }
        return true
    }
}

/// First four and last four characters for long secrets, two and two for short ones.
func redact(_ secret: [UInt8]) -> String {
    let text = String(decoding: secret, as: UTF8.self)
    let characters = Array(text)
    let shown = characters.count >= 16 ? 4 : characters.count >= 8 ? 2 : 0
    guard shown > 0 else { return "…" }
    return String(characters.prefix(shown)) + "…" + String(characters.suffix(shown))
}

/// Per-thread scratch state for ``SecretScanner/scan(_:path:traits:workspace:)``.
public final class ScanWorkspace {
    var regions: [[Range<Int>]]
    var touchedRules: [Int] = []
    let matchData: RegexMatchData

    init(ruleCount: Int, groups: Int) {
        regions = Array(repeating: [], count: ruleCount)
        matchData = RegexMatchData(groups: groups)
    }

    func reset() {
        for rule in touchedRules { regions[rule].removeAll(keepingCapacity: true) }
        touchedRules.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    func addRegion(rule: Int, _ range: Range<Int>) {
        if let last = regions[rule].last {
            if range.lowerBound <= last.upperBound {
                regions[rule][regions[rule].count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
                return
            }
        } else {
            touchedRules.append(rule)
        }
        regions[rule].append(range)
    }
}

/// Turns byte offsets into 1-based lines and code-point columns, walking forward once.
struct LineLocator {
    let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    private var lineStart = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func locate(_ offset: Int) -> (line: Int, column: Int, lineStart: Int) {
        if offset < position {
            position = 0
            line = 1
            lineStart = 0
        }
        while position < offset {
            if bytes[position] == UInt8(ascii: "\n") {
                line += 1
                lineStart = position + 1
            }
            position += 1
        }
        // Count code points: every byte that is not a UTF-8 continuation byte.
        var column = 1
        for index in lineStart..<offset where bytes[index] & 0xC0 != 0x80 { column += 1 }
        return (line, column, lineStart)
    }

    func lineContains(_ start: Int, _ needle: [UInt8]) -> Bool {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return FalsePositives.contains(Array(bytes[start..<end]), needle)
    }
}
