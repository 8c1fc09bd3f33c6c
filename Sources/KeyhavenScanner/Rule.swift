public import Foundation
import KeyhavenCrypto

/// How bad a leak of a rule's secret is. Private keys and cloud credentials are critical; test
/// mode keys are low.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One detection rule. Rules are data (see `rules.json` and the README); this is the compiled form.
public struct Rule: Sendable {
    public let id: String
    public let description: String
    public let severity: Severity
    /// `generic` rules (names like `password =`) are skipped in lockfiles and minified bundles and
    /// yield to a provider rule that matches the same secret.
    public let category: String
    public let keywords: [String]
    public let regex: Regex
    /// The capture group holding the secret; when it did not take part in the match, the next
    /// numbered group is tried (lets a rule offer quoted and unquoted alternatives).
    public let secretGroup: Int
    public let minimumEntropy: Double?
    public let validator: Validator?
    public let allowlist: [Regex]
    /// Bytes before a keyword where a match may start, and after it where it may end.
    public let lookbehind: Int
    public let lookahead: Int
    /// Whether the secret may sit inside a longer run of base64 characters (private key bodies).
    public let embeddedOK: Bool

    public var isGeneric: Bool { category == "generic" }
}

/// The rule file format: `{"version": "...", "rules": [RuleDefinition...]}`.
public struct RuleFile: Codable, Sendable {
    public var version: String?
    public var rules: [RuleDefinition]
}

public struct RuleDefinition: Codable, Sendable {
    public var id: String
    public var description: String?
    public var severity: Severity?
    public var category: String?
    public var keywords: [String]?
    public var regex: String?
    public var secretGroup: Int?
    public var entropy: Double?
    public var validator: String?
    public var allowlist: [String]?
    public var lookbehind: Int?
    public var lookahead: Int?
    public var embeddedOK: Bool?
    /// In a user's rule file: `true` switches off the built-in rule with this id.
    public var disabled: Bool?

    enum CodingKeys: String, CodingKey {
        case id, description, severity, category, keywords, regex, entropy, validator, allowlist, lookbehind, lookahead
        case disabled
        case secretGroup = "secret_group"
        case embeddedOK = "embedded_ok"
    }
}

/// A compiled, validated set of rules plus a version that changes whenever any rule does (the
/// GitHub scanner keys its per-blob cache on it).
public struct RuleSet: Sendable {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public let rules: [Rule]
    public let version: String

    /// The rules bundled with Keyhaven.
    public static func builtIn() throws -> RuleSet { try load(additionalFiles: []) }

    /// The built-in rules extended (or overridden, by id) by the user's rule files.
    public static func load(additionalFiles paths: [String]) throws -> RuleSet {
        var files = [(name: "built-in rules.json", data: Data(PackageResources.rules_json))]
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Error(description: "cannot read rule file \(path)")
            }
            files.append((name: path, data: data))
        }
        return try RuleSet(files: files)
    }

    public init(files: [(name: String, data: Data)]) throws {
        var definitions: [RuleDefinition] = []
        var digestInput = Data()
        for file in files {
            let parsed: RuleFile
            do {
                parsed = try JSONDecoder().decode(RuleFile.self, from: file.data)
            } catch {
                throw Error(description: "\(file.name): not a valid rule file: \(error)")
            }
            digestInput.append(file.data)
            for definition in parsed.rules {
                if let index = definitions.firstIndex(where: { $0.id == definition.id }) {
                    definitions[index] = definition
                } else {
                    definitions.append(definition)
                }
            }
        }
        rules = try definitions.filter { $0.disabled != true }.map(Self.compile)
        version = String(SHA256.hexHash(Array(digestInput)).prefix(16))
    }

    static func compile(_ definition: RuleDefinition) throws -> Rule {
        let id = definition.id
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) })
        else {
            throw Error(description: "rule id \"\(id)\": use lowercase letters, digits and dashes")
        }
        guard let pattern = definition.regex else { throw Error(description: "rule \(id): missing regex") }
        guard let keywords = definition.keywords, !keywords.isEmpty, keywords.allSatisfy({ $0.utf8.count >= 2 }) else {
            throw Error(description: "rule \(id): needs at least one keyword of two or more characters for the prefilter")
        }
        let regex: Regex
        do {
            regex = try Regex(pattern)
        } catch {
            throw Error(description: "rule \(id): \(error)")
        }
        let group = definition.secretGroup ?? (regex.captureCount >= 1 ? 1 : 0)
        guard group <= regex.captureCount else {
            throw Error(description: "rule \(id): secret_group \(group) but the regex has \(regex.captureCount) groups")
        }
        var validator: Validator?
        if let name = definition.validator {
            guard let known = Validator(rawValue: name) else {
                throw Error(
                    description:
                        "rule \(id): unknown validator \(name) (known: \(Validator.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            validator = known
        }
        let allowlist = try (definition.allowlist ?? []).map { pattern in
            do { return try Regex(pattern) } catch { throw Error(description: "rule \(id) allowlist: \(error)") }
        }
        return Rule(
            id: id, description: definition.description ?? id, severity: definition.severity ?? .high,
            category: definition.category ?? "provider", keywords: keywords, regex: regex, secretGroup: group,
            minimumEntropy: definition.entropy, validator: validator, allowlist: allowlist,
            lookbehind: max(0, min(definition.lookbehind ?? 16, 4096)),
            lookahead: max(16, min(definition.lookahead ?? 256, 65536)), embeddedOK: definition.embeddedOK ?? false)
    }
}
