import Glibc

/// `.keyhavenignore`: one entry per line, `#` starts a comment.
///
/// - `path/glob`: a path relative to the scanned directory (`*` and `?` cross `/`); without a `/`
///   the pattern is matched against the file's name in any directory.
/// - `dir/`: everything under that directory.
/// - `fingerprint:HEX` (or a bare 32-character hex fingerprint): that secret, wherever it is.
public struct IgnoreList: Sendable {
    public internal(set) var pathPatterns: [String] = []
    public internal(set) var directoryPrefixes: [String] = []
    public internal(set) var fingerprints: Set<String> = []

    public init() {}

    public init(parsing text: String) {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.lowercased().hasPrefix("fingerprint:") {
                fingerprints.insert(line.dropFirst("fingerprint:".count).trimmingCharacters(in: " \t").lowercased())
            } else if line.count == 32, line.allSatisfy(\.isHexDigit) {
                fingerprints.insert(line.lowercased())
            } else {
                var pattern = line
                while pattern.hasPrefix("./") { pattern.removeFirst(2) }
                if pattern.hasPrefix("/") { pattern.removeFirst() }
                if pattern.hasSuffix("/") {
                    directoryPrefixes.append(pattern)
                } else {
                    pathPatterns.append(pattern)
                }
            }
        }
    }

    public mutating func merge(_ other: IgnoreList) {
        pathPatterns += other.pathPatterns
        directoryPrefixes += other.directoryPrefixes
        fingerprints.formUnion(other.fingerprints)
    }

    /// Whether `relativePath` (relative to the scanned directory, `/`-separated) is ignored.
    public func ignores(relativePath: String, isDirectory: Bool = false) -> Bool {
        let asDirectory = isDirectory ? relativePath + "/" : relativePath
        for prefix in directoryPrefixes where asDirectory.hasPrefix(prefix) { return true }
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        for pattern in pathPatterns {
            let subject = pattern.contains("/") ? relativePath : name
            if fnmatch(pattern, subject, 0) == 0 { return true }
        }
        return false
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
