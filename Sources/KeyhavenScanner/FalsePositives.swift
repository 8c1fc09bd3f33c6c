/// Filters shared by every rule: placeholders, documented example keys and values that sit
/// inside larger blobs. Rule-specific allowlists live in the rule file.
enum FalsePositives {
    /// Substrings (lowercase) that mark a value as a placeholder, template or example.
    static let placeholderMarkers: [[UInt8]] = [
        "example", "placeholder", "changeme", "change_me", "change-me", "your_", "your-", "yourkey", "yourtoken",
        "yoursecret", "yourpassword", "<your", "xxxx", "****", "....", "redacted", "dummy", "fake", "sample", "insert",
        "replace", "lorem", "${", "{{", "%(", "<%", "os.environ", "process.env", "getenv", "123456789", "abcdefgh",
        "notreal", "not_real", "not-real", "\u{2026}",
    ].map { Array($0.utf8) }

    /// Keys printed in providers' documentation; they are public and revoked.
    static let documentedExamples: Set<[UInt8]> = Set(
        [
            "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_TYooMQauvdEDq54NiTphI7jx", "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
            // The token shown on jwt.io.
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        ].map { Array($0.utf8) })

    static let placeholderAutomaton = KeywordAutomaton(
        keywords: placeholderMarkers.map { String(decoding: $0, as: UTF8.self) })

    static func isPlaceholder(_ secret: [UInt8]) -> Bool {
        // A long run of one character (000000, aaaaaa), ignoring case.
        var run = 1
        for index in secret.indices.dropFirst() {
            run = KeywordAutomaton.fold(secret[index]) == KeywordAutomaton.fold(secret[index - 1]) ? run + 1 : 1
            if run >= 6 { return true }
        }
        if secret.withUnsafeBufferPointer({ placeholderAutomaton.containsAny($0) }) { return true }
        return documentedExamples.contains(secret)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    @inline(__always)
    static func isBase64Byte(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 43
            || byte == 47 || byte == 61
    }

    /// Whether the secret at `range` is a piece of a longer base64 run (an inline image, a
    /// certificate, a minified bundle): 16 or more base64 characters continue it on either side.
    static func isEmbeddedInBlob(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var before = 0
        var index = range.lowerBound - 1
        while index >= 0, before < 16, isBase64Byte(bytes[index]) {
            before += 1
            index -= 1
        }
        if before >= 16 { return true }
        var after = 0
        index = range.upperBound
        while index < bytes.count, after < 16, isBase64Byte(bytes[index]) {
            after += 1
            index += 1
        }
        return after >= 16
    }
}

/// Heuristics for the value side of `name = value` assignments: a secret is a literal, not a
/// reference, a template, a type, prose or a word.
enum AssignmentValue {
    static let wordsThatMarkTestValues: [[UInt8]] = ["password", "passwd", "secret", "token"].map { Array($0.utf8) }

    static func looksLikeSecret(_ value: [UInt8], quoted: Bool) -> Bool {
        guard value.count >= 8, value.count <= 200 else { return false }
        if isReferenceOrTemplate(value) { return false }
        // Prose and messages ("a wrong password!"), format strings ("{user}:{pw}").
        if value.contains(where: { $0 == 32 || $0 == 9 }) { return false }
        if value.contains(UInt8(ascii: "{")) && value.contains(UInt8(ascii: "}")) { return false }
        if FalsePositives.contains(value, Array("://".utf8)) { return false }
        let lower = value.map(KeywordAutomaton.fold)
        for marker in wordsThatMarkTestValues where FalsePositives.contains(lower, marker) { return false }
        if value.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return false }
        // Words and identifiers (`Optional`, `password_input`, `config.db.password`): no digits,
        // nothing but letters, dots, dashes and underscores.
        let wordLike = value.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 46 || byte == 95 || byte == 45
        }
        if wordLike { return false }
        if !quoted {
            // Unquoted, brackets mean code (`url[range]`, `markers[2]`, `call(x)`), and a chain of
            // identifiers is a member access (`components.password?.value`).
            if value.contains(where: { "[](){}<>".utf8.contains($0) }) { return false }
            if isMemberAccess(value) { return false }
        }
        return true
    }

    /// `a.b`, `self.config.password2`, `options?.secret!`: identifiers joined by `.`, `?.`, `!.`.
    static func isMemberAccess(_ value: [UInt8]) -> Bool {
        let text = String(decoding: value, as: UTF8.self)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        return parts.allSatisfy { part in
            var name = Substring(part)
            while let last = name.last, last == "?" || last == "!" { name.removeLast() }
            guard let first = name.first, first.isLetter || first == "_" else { return false }
            return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `$VAR`, `${VAR}`, `$(cmd)`, `%VAR%`, `%(name)s`, `{{ var }}`, `<placeholder>`, `[list]`,
    /// `{object}`, YAML `&anchor`/`*alias`/`!tag`, `@variable`, and paths (`/x`, `~/x`, `./x`).
    static func isReferenceOrTemplate(_ value: [UInt8]) -> Bool {
        let text = String(decoding: value, as: UTF8.self)
        let identifierStart: (Character?) -> Bool = { $0.map { $0.isLetter || $0 == "_" } ?? false }
        let second = text.dropFirst().first
        switch text.first {
        case "$": return identifierStart(second) || second == "{" || second == "("
        case "%": return (identifierStart(second) && text.last == "%") || second == "(" || second == "{"
        case "{", "[": return text.last == (text.first == "{" ? "}" : "]") || second == "{" || second == "%"
        case "<": return text.last == ">" || second == "%"
        case "#": return second == "{"
        case "&", "*", "!", "@":
            return identifierStart(second) && text.dropFirst().allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        case "/", "\\": return true
        case "~", ".": return second == "/"
        default: return false
        }
    }
}
