import CPCRE2

/// A PCRE2 pattern compiled once (with JIT where the platform has it) and shared by every
/// scanning thread. Matching needs a per-thread ``RegexMatchData``.
///
/// Patterns are byte-oriented (no UTF mode): the scanner looks at raw file bytes, which need not
/// be valid UTF-8, and secrets are ASCII in practice.
public final class Regex: @unchecked Sendable {
    public struct CompileError: Error, CustomStringConvertible {
        public let pattern: String
        public let message: String
        public let offset: Int
        public var description: String { "invalid regex at offset \(offset): \(message): \(pattern)" }
    }

    let code: OpaquePointer
    let usesJIT: Bool
    /// Number of capture groups (group 0, the whole match, not counted).
    public let captureCount: Int

    public init(_ pattern: String) throws {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = pattern.withCString { pointer in
            pcre2_compile_8(
                UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), pattern.utf8.count, 0, &errorCode,
                &errorOffset, nil)
        }
        guard let compiled else {
            var buffer = [UInt8](repeating: 0, count: 256)
            _ = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
            throw CompileError(
                pattern: pattern, message: String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self), offset: errorOffset)
        }
        code = compiled
        usesJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
    }

    deinit { pcre2_code_free_8(code) }

    /// Finds the first match starting at or after `start` in `subject[0..<end]`. Look-behind and
    /// `\b` see the bytes before `start`. On success the groups are in `matchData`.
    public func firstMatch(
        in subject: UnsafePointer<UInt8>, end: Int, from start: Int, using matchData: RegexMatchData
    ) -> Bool {
        let result =
            usesJIT
            ? pcre2_jit_match_8(code, subject, end, start, 0, matchData.pointer, nil)
            : pcre2_match_8(code, subject, end, start, 0, matchData.pointer, nil)
        return result > 0
    }

    /// Whether the pattern matches anywhere in `bytes` (used for short strings: allowlists).
    public func matches(_ bytes: some Collection<UInt8>, using matchData: RegexMatchData) -> Bool {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buffer in
            // An empty array may have no base address; give PCRE2 a valid pointer anyway.
            guard let base = buffer.baseAddress else {
                var zero: UInt8 = 0
                return firstMatch(in: &zero, end: 0, from: 0, using: matchData)
            }
            return firstMatch(in: base, end: buffer.count, from: 0, using: matchData)
        }
    }
}

/// Per-thread scratch space for ``Regex`` matches: the offsets of the last match's groups.
public final class RegexMatchData {
    let pointer: OpaquePointer
    let pairs: Int

    /// - Parameter groups: the largest capture count of the patterns this will be used with.
    public init(groups: Int) {
        pairs = groups + 1
        pointer = pcre2_match_data_create_8(UInt32(pairs), nil)
    }

    deinit { pcre2_match_data_free_8(pointer) }

    /// The byte range of group `index` in the last successful match, or nil when the group did
    /// not take part in it.
    public func range(ofGroup index: Int) -> Range<Int>? {
        guard index < pairs, let vector = pcre2_get_ovector_pointer_8(pointer) else { return nil }
        let start = vector[2 * index]
        let end = vector[2 * index + 1]
        guard start != keyhaven_pcre2_unset(), end != keyhaven_pcre2_unset(), start <= end else { return nil }
        return start..<end
    }
}
